// etcd's error table: the gRPC status code of every error text the server
// produces, as etcd 3.4 sends them (etcdserver/api/v3rpc/rpctypes/error.go).
// Clients match errors by their text (clientv3's rpctypes.Error), so the
// texts are etcd's to the byte; the codes decide what clients retry
// (Unavailable is retried for reads, never for writes once sent).
#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "server.pb.h"

namespace raftlab::runner::api {

// The status for an error text (codes.Unknown for a text etcd does not have,
// as etcd's togRPCError does).
grpc::Status ErrorStatus(const std::string& error);

// The status of a response that is not OK: its error (an UNKNOWN outcome
// without one is "etcdserver: request timed out", etcd's answer to a
// proposal it did not see applied in time).
grpc::Status ResponseStatus(const serverpb::ClientResponse& resp);

}  // namespace raftlab::runner::api
