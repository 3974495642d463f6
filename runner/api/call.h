// The one way a unary handler asks the member: submit, wait, map the outcome.
#pragma once

#include <utility>

#include <grpcpp/server_context.h>

#include "runner/api/errors.h"
#include "runner/api/services.h"

namespace raftlab::runner::api {

// etcd's interceptors: a client that sent the "hasleader: true" metadata
// (clientv3.WithRequireLeader) is refused with "etcdserver: no leader"
// (Unavailable) while this member knows no leader, instead of waiting.
inline grpc::Status RequireLeader(const grpc::ServerContext* ctx, const MemberLoop& loop) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("hasleader");
  if (it == md.end() || it->second != "true" || loop.leader() != 0) return grpc::Status::OK;
  return ErrorStatus("etcdserver: no leader");
}

// Submits `req` and, on success, moves the response that `get` names into
// *out; otherwise returns etcd's status for the error.
template <class Response>
grpc::Status CallMember(const grpc::ServerContext* ctx, MemberLoop* loop, const ApiOptions& options,
                        serverpb::ClientRequest req, Response* (serverpb::ClientResponse::*get)(),
                        Response* out) {
  if (grpc::Status refused = RequireLeader(ctx, *loop); !refused.ok()) return refused;
  serverpb::ClientResponse resp = loop->Call(std::move(req), options.wait);
  grpc::Status status = ResponseStatus(resp);
  if (!status.ok()) return status;
  *out = std::move(*(resp.*get)());
  return grpc::Status::OK;
}

}  // namespace raftlab::runner::api
