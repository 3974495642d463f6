#include "runner/api/errors.h"

#include <string_view>

namespace raftlab::runner::api {
namespace {

struct Row {
  std::string_view text;
  grpc::StatusCode code;
};

// etcd 3.4.23, rpctypes/error.go (the errors raftlab can produce).
constexpr Row kTable[] = {
    {"etcdserver: key is not provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: key not found", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: value is provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: lease is provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: too many operations in txn request", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: duplicate key given in txn request", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: mvcc: required revision has been compacted", grpc::StatusCode::OUT_OF_RANGE},
    {"etcdserver: mvcc: required revision is a future revision", grpc::StatusCode::OUT_OF_RANGE},
    {"etcdserver: mvcc: database space exceeded", grpc::StatusCode::RESOURCE_EXHAUSTED},
    {"etcdserver: requested lease not found", grpc::StatusCode::NOT_FOUND},
    {"etcdserver: lease already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: too large lease TTL", grpc::StatusCode::OUT_OF_RANGE},
    {"etcdserver: member ID already exist", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: Peer URLs already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: given member URLs are invalid", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: member not found", grpc::StatusCode::NOT_FOUND},
    {"etcdserver: can only promote a learner member", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: can only promote a learner member which is in sync with leader",
     grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: too many learner members in cluster", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: request is too large", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: no leader", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: not leader", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: leader changed", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: server stopped", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: request timed out", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: bad leader transferee", grpc::StatusCode::FAILED_PRECONDITION},
};

}  // namespace

grpc::Status ErrorStatus(const std::string& error) {
  for (const Row& row : kTable) {
    if (row.text == error) return grpc::Status(row.code, error);
  }
  return grpc::Status(grpc::StatusCode::UNKNOWN, error);
}

grpc::Status ResponseStatus(const serverpb::ClientResponse& resp) {
  if (resp.outcome() == serverpb::OUTCOME_OK) return grpc::Status::OK;
  if (resp.error().empty()) return ErrorStatus("etcdserver: request timed out");
  return ErrorStatus(resp.error());
}

}  // namespace raftlab::runner::api
