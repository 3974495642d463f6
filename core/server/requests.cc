// Client requests: validation, proposing writes, linearizable and
// serializable reads, leader-local lease requests, and responses.
#include "core/base/check.h"
#include "core/base/fixed64.h"
#include "core/server/errors.h"
#include "core/server/server.h"

namespace raftlab::server {

void Server::Submit(const serverpb::ClientRequest& req, int64_t now_ms) {
  using R = serverpb::ClientRequest;
  switch (req.request_case()) {
    case R::kRange:
      if (mvcc::KvStatus s = mvcc::ValidateRange(req.range()); s != mvcc::KvStatus::kOk) {
        RespondError(req.id(), KvError(s));
      } else if (req.serializable()) {
        ServeRead(req, now_ms);  // local state, possibly stale (S3.9)
      } else {
        SubmitRead(req, now_ms);
      }
      return;
    case R::kLeaseKeepAlive:
      if (config_.bugs.Has(Bug::kLeaseDeposedPrimary) && lessor_->is_primary()) {
        // Bug zoo B22 (lease-deposed-primary): a keepalive renews the local
        // lessor without the leadership round, so a deposed (or cut off)
        // leader acknowledges renewals the real leader never sees.
        ServeRead(req, now_ms);
        return;
      }
      SubmitRead(req, now_ms);  // leader-local, after confirming leadership
      return;
    case R::kLeaseTimeToLive:
      SubmitRead(req, now_ms);  // leader-local, after confirming leadership
      return;
    case R::kAlarm:
      if (req.alarm().action() == serverpb::ALARM_GET) {
        serverpb::ClientResponse resp;
        resp.set_id(req.id());
        resp.mutable_alarm()->set_nospace(nospace_);
        *resp.mutable_alarm()->mutable_header() = Header(kv_->current_revision());
        Respond(std::move(resp));
        return;
      }
      SubmitWrite(req, now_ms);
      return;
    case R::kMemberAdd:
    case R::kMemberRemove:
    case R::kMemberPromote:
    case R::kMemberUpdate:
      SubmitMemberChange(req, now_ms);
      return;
    case R::REQUEST_NOT_SET:
      RespondError(req.id(), kErrEmptyRequest);
      return;
    default:
      SubmitWrite(req, now_ms);
      return;
  }
}

void Server::SubmitWrite(const serverpb::ClientRequest& req, int64_t now_ms) {
  serverpb::InternalRequest r;
  r.set_id(NextInternalId());
  mvcc::KvStatus invalid = mvcc::KvStatus::kOk;
  if (req.has_put()) {
    invalid = mvcc::ValidatePut(req.put());
    *r.mutable_put() = req.put();
  } else if (req.has_delete_range()) {
    invalid = mvcc::ValidateDeleteRange(req.delete_range());
    *r.mutable_delete_range() = req.delete_range();
  } else if (req.has_txn()) {
    invalid = mvcc::ValidateTxn(req.txn());
    *r.mutable_txn() = req.txn();
  } else if (req.has_compaction()) {
    *r.mutable_compaction() = req.compaction();
  } else if (req.has_lease_grant()) {
    *r.mutable_lease_grant() = req.lease_grant();
  } else if (req.has_lease_revoke()) {
    *r.mutable_lease_revoke() = req.lease_revoke();
  } else {
    CHECK(req.has_alarm());
    *r.mutable_alarm() = req.alarm();
  }
  if (invalid != mvcc::KvStatus::kOk) return RespondError(req.id(), KvError(invalid));
  if (nospace_ && WritesData(r)) return RespondError(req.id(), kErrNoSpace);
  if (raw_->raft().lead() == raft::kNone) return RespondError(req.id(), kErrNoLeader);
  const raft::StepResult result = raw_->Propose(r.SerializeAsString());
  if (result != raft::StepResult::kOk) {
    // Never appended anywhere: a definite error.
    return RespondError(req.id(), kErrProposalDropped);
  }
  pending_writes_[r.id()] = PendingWrite{req.id(), now_ms + config_.request_timeout_ms};
}

void Server::SubmitRead(const serverpb::ClientRequest& req, int64_t now_ms) {
  if (raw_->raft().lead() == raft::kNone) return RespondError(req.id(), kErrNoLeader);
  const uint64_t id = NextInternalId();
  if (open_read_round_ == 0 || !config_.batch_reads) {
    open_read_round_ = id;
    raw_->ReadIndex(EncodeFixed64(id));
  }
  pending_reads_[id] = PendingRead{req, now_ms + config_.request_timeout_ms, open_read_round_, 0};
}

void Server::ServeReads(int64_t now_ms) {
  for (auto it = pending_reads_.begin(); it != pending_reads_.end();) {
    const PendingRead& p = it->second;
    if (p.read_index == 0 || consistent_index_ < p.read_index) {
      ++it;
      continue;
    }
    ServeRead(p.request, now_ms);
    it = pending_reads_.erase(it);
  }
}

void Server::ServeRead(const serverpb::ClientRequest& req, int64_t now_ms) {
  serverpb::ClientResponse resp;
  resp.set_id(req.id());
  if (req.has_range()) {
    mvcc::Outcome<etcdserverpb::RangeResponse> out = kv_->Range(req.range());
    if (!SetKvResult(out.status, &resp)) return Respond(std::move(resp));
    *resp.mutable_range() = std::move(out.response);
    *resp.mutable_range()->mutable_header() = Header(kv_->current_revision());
    return Respond(std::move(resp));
  }
  // Lease requests are answered by the primary lessor only, i.e. a leader
  // that just confirmed its leadership.
  // Bug zoo B22 (lease-deposed-primary): a primary answers without being leader.
  const bool leader_or_bug = LeaderNow() ||
                             config_.bugs.Has(Bug::kLeaseDeposedPrimary);
  if (!leader_or_bug || !lessor_->is_primary()) {
    resp.set_outcome(serverpb::OUTCOME_ERROR);
    resp.set_error(kErrNotLeader);
    resp.set_leader_hint(raw_->raft().lead());
    return Respond(std::move(resp));
  }
  if (req.has_lease_keep_alive()) {
    const int64_t id = req.lease_keep_alive().id();
    lease::KeepAliveResult k = lessor_->KeepAlive(id, now_ms);
    etcdserverpb::LeaseKeepAliveResponse* out = resp.mutable_lease_keep_alive();
    *out->mutable_header() = Header(kv_->current_revision());
    out->set_id(id);
    out->set_ttl(k.ttl_seconds);  // 0 for an unknown or revoked lease (S8.3)
  } else {
    CHECK(req.has_lease_time_to_live());
    const int64_t id = req.lease_time_to_live().id();
    lease::TimeToLiveResult t = lessor_->TimeToLive(id, now_ms, req.lease_time_to_live().keys());
    etcdserverpb::LeaseTimeToLiveResponse* out = resp.mutable_lease_time_to_live();
    *out->mutable_header() = Header(kv_->current_revision());
    out->set_id(id);
    out->set_ttl(t.remaining_seconds);
    out->set_grantedttl(t.granted_ttl_seconds);
    for (const std::string& k : t.keys) out->add_keys(k);
  }
  Respond(std::move(resp));
}

void Server::Respond(serverpb::ClientResponse resp) { responses_.push_back(std::move(resp)); }

void Server::RespondError(uint64_t client_id, const std::string& error) {
  serverpb::ClientResponse resp;
  resp.set_id(client_id);
  resp.set_outcome(serverpb::OUTCOME_ERROR);
  resp.set_error(error);
  if (error == kErrNotLeader || error == kErrNoLeader) resp.set_leader_hint(raw_->raft().lead());
  Respond(std::move(resp));
}

}  // namespace raftlab::server
