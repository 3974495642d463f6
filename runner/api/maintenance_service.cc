// Maintenance: status, hashes, alarms, defragment, leader transfer (etcd's
// v3rpc/maintenance.go). Snapshot is not offered (docs/live.md).
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/mvcc/hash.h"
#include "core/server/errors.h"
#include "runner/api/call.h"

namespace raftlab::runner::api {
namespace {

constexpr const char* kStopped = "etcdserver: server stopped";

}  // namespace

grpc::Status MaintenanceService::Alarm(grpc::ServerContext* ctx, const etcdserverpb::AlarmRequest* req,
                                       etcdserverpb::AlarmResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  // raftlab has one alarm, NOSPACE, for the whole cluster (raised by the
  // leader); it is listed under the member that raised it... which raftlab
  // does not keep, so under this member. etcd's response has no header.
  if (req->action() != etcdserverpb::AlarmRequest::GET &&
      (req->alarm() == etcdserverpb::NOSPACE || req->alarm() == etcdserverpb::NONE)) {
    serverpb::ClientRequest r;
    r.mutable_alarm()->set_action(req->action() == etcdserverpb::AlarmRequest::ACTIVATE
                                      ? serverpb::ALARM_ACTIVATE
                                      : serverpb::ALARM_DEACTIVATE);
    r.mutable_alarm()->set_member_id(req->memberid());
    serverpb::ClientResponse out = loop_->Call(std::move(r), options_.wait);
    grpc::Status status = ResponseStatus(out);
    if (!status.ok()) return status;
    if (req->action() == etcdserverpb::AlarmRequest::DEACTIVATE) {
      etcdserverpb::AlarmMember* a = resp->add_alarms();
      a->set_memberid(req->memberid());
      a->set_alarm(etcdserverpb::NOSPACE);
    } else if (out.alarm().nospace()) {
      etcdserverpb::AlarmMember* a = resp->add_alarms();
      a->set_memberid(req->memberid());
      a->set_alarm(etcdserverpb::NOSPACE);
    }
    return grpc::Status::OK;
  }
  const bool ran = loop_->Run([&](server::Server& s) {
    if (!s.nospace()) return;
    if (req->alarm() != etcdserverpb::NONE && req->alarm() != etcdserverpb::NOSPACE) return;
    etcdserverpb::AlarmMember* a = resp->add_alarms();
    a->set_memberid(s.id());
    a->set_alarm(etcdserverpb::NOSPACE);
  });
  return ran ? grpc::Status::OK : ErrorStatus(kStopped);
}

grpc::Status MaintenanceService::Status(grpc::ServerContext* ctx, const etcdserverpb::StatusRequest*,
                                        etcdserverpb::StatusResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  const bool ran = loop_->Run([&](server::Server& s) {
    const raft::Raft& r = s.raw_node().raft();
    *resp->mutable_header() = s.Header(s.kv().current_revision());
    resp->set_version(options_.version);
    // etcd's measures of its bbolt file; raftlab's backend reports the same
    // of its LMDB file (core/backend/backend.h).
    const backend::Backend* b = s.backend();
    resp->set_dbsize(b != nullptr ? b->Size() : s.db_bytes());
    resp->set_dbsizeinuse(b != nullptr ? b->SizeInUse() : s.db_bytes());
    resp->set_leader(r.lead());
    resp->set_raftindex(r.raft_log().committed());
    resp->set_raftterm(r.term());
    resp->set_raftappliedindex(s.consistent_index());
    resp->set_islearner(r.is_learner());
    if (r.lead() == raft::kNone) resp->add_errors("etcdserver: no leader");
    if (s.nospace()) resp->add_errors(fmt::format("memberID:{} alarm:NOSPACE ", s.id()));
  });
  return ran ? grpc::Status::OK : ErrorStatus(kStopped);
}

grpc::Status MaintenanceService::Defragment(grpc::ServerContext* ctx,
                                            const etcdserverpb::DefragmentRequest*,
                                            etcdserverpb::DefragmentResponse*) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  // Rewrites the backend without its free pages, as etcd's does its bbolt
  // file; like etcd's, the response has no header.
  raftlab::Status done = MakeError(ErrorCode::kInternal, "not run");
  const bool ran = loop_->RunOnMember([&](host::Member& m) { done = m.DefragmentBackend(); });
  if (!ran) return ErrorStatus(kStopped);
  if (!done) return grpc::Status(grpc::StatusCode::INTERNAL, done.error().message);
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::Hash(grpc::ServerContext* ctx, const etcdserverpb::HashRequest*,
                                      etcdserverpb::HashResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  const bool ran = loop_->Run([&](server::Server& s) {
    const mvcc::HashResult h = mvcc::HashKv(s.kv(), 0);
    *resp->mutable_header() = s.Header(h.hash_revision);
    resp->set_hash(h.hash);
  });
  return ran ? grpc::Status::OK : ErrorStatus(kStopped);
}

grpc::Status MaintenanceService::HashKV(grpc::ServerContext* ctx, const etcdserverpb::HashKVRequest* req,
                                        etcdserverpb::HashKVResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  std::string error;
  const bool ran = loop_->Run([&](server::Server& s) {
    const mvcc::HashResult h = mvcc::HashKv(s.kv(), req->revision());
    if (h.status != mvcc::KvStatus::kOk) {
      error = server::KvError(h.status);
      return;
    }
    *resp->mutable_header() = s.Header(s.kv().current_revision());
    resp->set_hash(h.hash);
    resp->set_compact_revision(h.compact_revision);
  });
  if (!ran) return ErrorStatus(kStopped);
  return error.empty() ? grpc::Status::OK : ErrorStatus(error);
}

grpc::Status MaintenanceService::MoveLeader(grpc::ServerContext* ctx,
                                            const etcdserverpb::MoveLeaderRequest* req,
                                            etcdserverpb::MoveLeaderResponse*) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  std::string error;
  bool done = false;
  const raft::NodeId target = req->targetid();
  const bool ran = loop_->Run([&](server::Server& s) {
    const raft::Raft& r = s.raw_node().raft();
    if (r.state() != raft::StateRole::kLeader) {
      error = "etcdserver: not leader";
      return;
    }
    if (target == s.id()) {
      done = true;
      return;
    }
    const auto& voters = r.tracker().config.voters;
    if (!voters.Contains(target)) {
      error = "etcdserver: bad leader transferee";
      return;
    }
    s.TransferLeader(target);
  });
  if (!ran) return ErrorStatus(kStopped);
  if (!error.empty()) return ErrorStatus(error);
  // Wait until the transferee leads, up to etcd's bound (an election
  // timeout's worth of ticks, twice over).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    loop_->Run([&](server::Server& s) { done = s.raw_node().raft().lead() == target; });
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!done) return ErrorStatus("etcdserver: request timed out, leader transfer took too long");
  return grpc::Status::OK;
}

}  // namespace raftlab::runner::api
