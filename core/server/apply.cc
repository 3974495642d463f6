// Applying committed entries and snapshots to the state machine (MVCC
// store, leases, alarm), in log order, each request exactly once.
#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/server/errors.h"
#include "core/server/server.h"

namespace raftlab::server {
namespace {

constexpr size_t kAppliedIdsPerMember = 4096;

bool HasPut(const etcdserverpb::TxnRequest& txn) {
  for (const auto* branch : {&txn.success(), &txn.failure()}) {
    for (const etcdserverpb::RequestOp& op : *branch) {
      if (op.has_request_put()) return true;
      if (op.has_request_txn() && HasPut(op.request_txn())) return true;
    }
  }
  return false;
}

}  // namespace

bool WritesData(const serverpb::InternalRequest& r) {
  return r.has_put() || (r.has_txn() && HasPut(r.txn())) || r.has_lease_grant();
}

namespace {

std::set<raft::NodeId> MemberIds(const raft::ConfState& cs) {
  std::set<raft::NodeId> out(cs.voters.begin(), cs.voters.end());
  out.insert(cs.learners.begin(), cs.learners.end());
  out.insert(cs.voters_outgoing.begin(), cs.voters_outgoing.end());
  out.insert(cs.learners_next.begin(), cs.learners_next.end());
  return out;
}

}  // namespace

bool Server::AddsMember(const raft::ConfState& before, const raft::ConfState& after) {
  const std::set<raft::NodeId> had = MemberIds(before);
  for (raft::NodeId id : MemberIds(after)) {
    if (!had.contains(id)) return true;
  }
  return false;
}

void Server::ApplyEntry(const raft::Entry& e, int64_t now_ms) {
  // Entries at or below the consistent index are already in the state we
  // restored from a snapshot: replaying them must change nothing.
  if (e.index <= consistent_index_) return;
  CHECK_EQ(e.index, consistent_index_ + 1);
  if (e.type != raft::EntryType::kNormal) {
    Result<raft::ConfChangeV2> cc = raft::DecodeConfChange(e);
    if (!cc) return RefuseEntry(e, "committed conf change does not decode");
    if (config_.refuse_bad_entries) {
      // Otherwise Raft's ApplyConfChange stops on it, loudly.
      if (std::string why = raw_->raft().DryRunConfChange(*cc); !why.empty()) {
        return RefuseEntry(e, "unable to apply conf change: " + why);
      }
    }
    const raft::ConfState before = conf_state_;
    conf_state_ = raw_->ApplyConfChange(*cc);
    ApplyMemberChange(*cc, before);
    // A member (re-)added under an id that a snapshot left out refuses that
    // snapshot, and with no new entries no newer one would ever be taken:
    // the leader would send it forever (scenarios/membership-changes.yaml,
    // seed 60). Take one that names the new member at once.
    if (AddsMember(before, conf_state_)) snapshot_now_ = true;
  } else if (!e.data.empty()) {
    serverpb::InternalRequest r;
    if (!r.ParseFromString(e.data)) return RefuseEntry(e, "committed entry is not an InternalRequest");
    if (!SeenBefore(r.id())) {
      serverpb::ClientResponse resp;
      ApplyRequest(r, now_ms, &resp);
      auto pending = pending_writes_.find(r.id());
      if (pending != pending_writes_.end()) {
        resp.set_id(pending->second.client_id);
        Respond(std::move(resp));
        pending_writes_.erase(pending);
      }
    }
  }
  consistent_index_ = e.index;
  applied_term_ = e.term;
}

void Server::RefuseEntry(const raft::Entry& e, const std::string& why) {
  // No correct member commits such an entry, so in the simulator, where
  // every member runs this code, it is a bug to report: stop loudly.
  CHECK_MSG(config_.refuse_bad_entries, why);
  // Live, it came from a broken or hostile peer. Every member holds the
  // same committed bytes and configuration, so every member refuses the
  // same entries and the replicas stay equal.
  ++refused_entries_;
  RAFT_LOG(config_.logger, kError, "{} refused committed entry {} (term {}): {}", config_.id,
           e.index, e.term, why);
  consistent_index_ = e.index;
  applied_term_ = e.term;
}

bool Server::SeenBefore(uint64_t internal_id) {
  std::set<uint64_t>& ids = applied_ids_[internal_id >> 48];
  if (ids.count(internal_id) != 0) return true;
  ids.insert(internal_id);
  if (ids.size() > kAppliedIdsPerMember) ids.erase(ids.begin());
  return false;
}

void Server::ApplyRequest(const serverpb::InternalRequest& r, int64_t now_ms,
                          serverpb::ClientResponse* resp) {
  resp->set_outcome(serverpb::OUTCOME_OK);
  if (nospace_ && WritesData(r)) {
    // The alarm may have been raised after this request was proposed.
    resp->set_outcome(serverpb::OUTCOME_ERROR);
    resp->set_error(kErrNoSpace);
    return;
  }
  if (r.has_put()) {
    db_bytes_ += static_cast<int64_t>(r.put().key().size() + r.put().value().size());
    auto out = watchable_.Put(r.put());
    if (!SetKvResult(out.status, resp)) return;
    *resp->mutable_put() = std::move(out.response);
    *resp->mutable_put()->mutable_header() = Header(kv_->current_revision());
  } else if (r.has_delete_range()) {
    auto out = watchable_.DeleteRange(r.delete_range());
    if (!SetKvResult(out.status, resp)) return;
    *resp->mutable_delete_range() = std::move(out.response);
    *resp->mutable_delete_range()->mutable_header() = Header(kv_->current_revision());
  } else if (r.has_txn()) {
    auto out = watchable_.Txn(r.txn());
    if (!SetKvResult(out.status, resp)) return;
    *resp->mutable_txn() = std::move(out.response);
    *resp->mutable_txn()->mutable_header() = Header(kv_->current_revision());
  } else if (r.has_compaction()) {
    auto out = watchable_.Compact(r.compaction());
    if (!SetKvResult(out.status, resp)) return;
    *resp->mutable_compaction() = std::move(out.response);
    *resp->mutable_compaction()->mutable_header() = Header(kv_->current_revision());
  } else if (r.has_lease_grant()) {
    ApplyLeaseGrant(r.lease_grant(), now_ms, resp);
  } else if (r.has_lease_revoke()) {
    ApplyLeaseRevoke(r.lease_revoke(), resp);
  } else if (r.has_member_attributes()) {
    ApplyMemberAttributes(r.member_attributes());
  } else if (r.has_alarm()) {
    if (r.alarm().action() == serverpb::ALARM_ACTIVATE) nospace_ = true;
    if (r.alarm().action() == serverpb::ALARM_DEACTIVATE) nospace_ = false;
    resp->mutable_alarm()->set_nospace(nospace_);
    *resp->mutable_alarm()->mutable_header() = Header(kv_->current_revision());
  }
}

void Server::ApplyLeaseGrant(const etcdserverpb::LeaseGrantRequest& req, int64_t now_ms,
                             serverpb::ClientResponse* resp) {
  lease::GrantResult g = lessor_->Grant(req.id(), req.ttl(), now_ms);
  if (g.status != lease::LeaseStatus::kOk) {
    resp->set_outcome(serverpb::OUTCOME_ERROR);
    resp->set_error(LeaseError(g.status));
    return;
  }
  etcdserverpb::LeaseGrantResponse* out = resp->mutable_lease_grant();
  *out->mutable_header() = Header(kv_->current_revision());
  out->set_id(g.id);
  out->set_ttl(g.ttl_seconds);
}

void Server::ApplyLeaseRevoke(const etcdserverpb::LeaseRevokeRequest& req,
                              serverpb::ClientResponse* resp) {
  lease::RevokeResult rv = lessor_->Revoke(req.id());
  if (rv.status != lease::LeaseStatus::kOk) {
    resp->set_outcome(serverpb::OUTCOME_ERROR);
    resp->set_error(LeaseError(rv.status));
    return;
  }
  revoke_proposed_at_.erase(req.id());
  if (!rv.keys.empty()) {
    // Every attached key goes in one revision, in key order (S8.2).
    auto out = watchable_.Txn(lease::RevokeTxn(rv.keys));
    CHECK(out.ok());
  }
  *resp->mutable_lease_revoke()->mutable_header() = Header(kv_->current_revision());
}

void Server::ApplySnapshot(const raft::Snapshot& s) {
  // Watchers have seen everything up to the old revision; they catch up
  // from the new contents (never replaying what they already got).
  watchable_.MarkAllUnsynced();
  RestoreState(s.data);
  CHECK_EQ(consistent_index_, s.metadata.index);
  conf_state_ = s.metadata.conf_state;
  last_snapshot_index_ = s.metadata.index;
  applied_term_ = s.metadata.term;
  if (config_.backend != nullptr) RewriteBackend();  // etcd replaces its db file
}

bool Server::SetKvResult(mvcc::KvStatus status, serverpb::ClientResponse* resp) const {
  if (status == mvcc::KvStatus::kOk) return true;
  resp->set_outcome(serverpb::OUTCOME_ERROR);
  resp->set_error(KvError(status));
  return false;
}

etcdserverpb::ResponseHeader Server::Header(int64_t revision) const {
  etcdserverpb::ResponseHeader h;
  h.set_cluster_id(config_.cluster_id);
  h.set_member_id(config_.id);
  h.set_revision(revision);
  h.set_raft_term(raw_->raft().term());
  return h;
}

}  // namespace raftlab::server
