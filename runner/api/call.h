// The one way a unary handler asks the member: submit, wait, map the outcome.
#pragma once

#include <utility>

#include "runner/api/errors.h"
#include "runner/api/services.h"

namespace raftlab::runner::api {

// Submits `req` and, on success, moves the response that `get` names into
// *out; otherwise returns etcd's status for the error.
template <class Response>
grpc::Status CallMember(MemberLoop* loop, const ApiOptions& options, serverpb::ClientRequest req,
                        Response* (serverpb::ClientResponse::*get)(), Response* out) {
  serverpb::ClientResponse resp = loop->Call(std::move(req), options.wait);
  grpc::Status status = ResponseStatus(resp);
  if (!status.ok()) return status;
  *out = std::move(*(resp.*get)());
  return grpc::Status::OK;
}

}  // namespace raftlab::runner::api
