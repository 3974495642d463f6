// Cluster: member add, remove, promote, list (etcd's v3rpc/member.go).
// Changes go through Raft as conf changes (core/server/members.cc); the
// list is answered locally. Cluster responses carry no revision, as etcd's.
#include "runner/api/call.h"

namespace raftlab::runner::api {

grpc::Status ClusterService::MemberAdd(grpc::ServerContext* ctx,
                                       const etcdserverpb::MemberAddRequest* req,
                                       etcdserverpb::MemberAddResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_member_add() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_member_add,
                    resp);
}

grpc::Status ClusterService::MemberRemove(grpc::ServerContext* ctx,
                                          const etcdserverpb::MemberRemoveRequest* req,
                                          etcdserverpb::MemberRemoveResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_member_remove() = *req;
  return CallMember(ctx, loop_, options_, std::move(r),
                    &serverpb::ClientResponse::mutable_member_remove, resp);
}

grpc::Status ClusterService::MemberUpdate(grpc::ServerContext* ctx,
                                          const etcdserverpb::MemberUpdateRequest* req,
                                          etcdserverpb::MemberUpdateResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_member_update() = *req;
  return CallMember(ctx, loop_, options_, std::move(r),
                    &serverpb::ClientResponse::mutable_member_update, resp);
}

grpc::Status ClusterService::MemberList(grpc::ServerContext* ctx, const etcdserverpb::MemberListRequest*,
                                        etcdserverpb::MemberListResponse* resp) {
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  const bool ran = loop_->Run([&](server::Server& s) {
    *resp->mutable_header() = s.Header(0);
    for (const etcdserverpb::Member& m : s.Members()) *resp->add_members() = m;
  });
  return ran ? grpc::Status::OK : ErrorStatus("etcdserver: server stopped");
}

grpc::Status ClusterService::MemberPromote(grpc::ServerContext* ctx,
                                           const etcdserverpb::MemberPromoteRequest* req,
                                           etcdserverpb::MemberPromoteResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_member_promote() = *req;
  return CallMember(ctx, loop_, options_, std::move(r),
                    &serverpb::ClientResponse::mutable_member_promote, resp);
}

}  // namespace raftlab::runner::api
