// Lease: grant, revoke, keep-alive (a stream), time-to-live, list (etcd's
// v3rpc/lease.go). Keep-alives and time-to-live are leader-local: a
// follower's MemberLoop forwards them to the leader.
#include "runner/api/call.h"

namespace raftlab::runner::api {

grpc::Status LeaseService::LeaseGrant(grpc::ServerContext* ctx,
                                      const etcdserverpb::LeaseGrantRequest* req,
                                      etcdserverpb::LeaseGrantResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_lease_grant() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_lease_grant,
                    resp);
}

grpc::Status LeaseService::LeaseRevoke(grpc::ServerContext* ctx,
                                       const etcdserverpb::LeaseRevokeRequest* req,
                                       etcdserverpb::LeaseRevokeResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_lease_revoke() = *req;
  return CallMember(ctx, loop_, options_, std::move(r),
                    &serverpb::ClientResponse::mutable_lease_revoke, resp);
}

grpc::Status LeaseService::LeaseKeepAlive(
    grpc::ServerContext* ctx,
    grpc::ServerReaderWriter<etcdserverpb::LeaseKeepAliveResponse,
                             etcdserverpb::LeaseKeepAliveRequest>* stream) {
  etcdserverpb::LeaseKeepAliveRequest req;
  while (!ctx->IsCancelled() && stream->Read(&req)) {
    serverpb::ClientRequest r;
    *r.mutable_lease_keep_alive() = req;
    etcdserverpb::LeaseKeepAliveResponse resp;
    grpc::Status status = CallMember(ctx, loop_, options_, std::move(r),
                                     &serverpb::ClientResponse::mutable_lease_keep_alive, &resp);
    // An unknown lease is TTL 0, not an error (the server says so); any
    // other error ends the stream, as in etcd.
    if (!status.ok()) return status;
    if (!stream->Write(resp)) break;
  }
  return grpc::Status::OK;
}

grpc::Status LeaseService::LeaseTimeToLive(grpc::ServerContext* ctx,
                                           const etcdserverpb::LeaseTimeToLiveRequest* req,
                                           etcdserverpb::LeaseTimeToLiveResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_lease_time_to_live() = *req;
  return CallMember(ctx, loop_, options_, std::move(r),
                    &serverpb::ClientResponse::mutable_lease_time_to_live, resp);
}

grpc::Status LeaseService::LeaseLeases(grpc::ServerContext* ctx, const etcdserverpb::LeaseLeasesRequest*,
                                       etcdserverpb::LeaseLeasesResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  // Every member's lessor holds every lease (leases are replicated), so this
  // is answered locally, as etcd's leader would from its lessor.
  const bool ran = loop_->Run([&](server::Server& s) {
    *resp->mutable_header() = s.Header(s.kv().current_revision());
    for (int64_t id : s.lessor().LeaseIds()) resp->add_leases()->set_id(id);
  });
  return ran ? grpc::Status::OK : ErrorStatus("etcdserver: server stopped");
}

}  // namespace raftlab::runner::api
