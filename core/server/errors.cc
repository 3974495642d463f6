#include "core/server/errors.h"

namespace raftlab::server {

std::string KvError(mvcc::KvStatus status) {
  switch (status) {
    case mvcc::KvStatus::kOk: return "";
    case mvcc::KvStatus::kEmptyKey: return "etcdserver: key is not provided";
    case mvcc::KvStatus::kKeyNotFound: return "etcdserver: key not found";
    case mvcc::KvStatus::kValueProvided: return "etcdserver: value is provided";
    case mvcc::KvStatus::kLeaseProvided: return "etcdserver: lease is provided";
    case mvcc::KvStatus::kLeaseNotFound: return "etcdserver: requested lease not found";
    case mvcc::KvStatus::kTooManyOps: return "etcdserver: too many operations in txn request";
    case mvcc::KvStatus::kDuplicateKey: return "etcdserver: duplicate key given in txn request";
    case mvcc::KvStatus::kFutureRev:
      return "etcdserver: mvcc: required revision is a future revision";
    case mvcc::KvStatus::kCompacted:
      return "etcdserver: mvcc: required revision has been compacted";
  }
  return "etcdserver: unknown error";
}

std::string LeaseError(lease::LeaseStatus status) {
  switch (status) {
    case lease::LeaseStatus::kOk: return "";
    case lease::LeaseStatus::kLeaseExists: return "etcdserver: lease already exists";
    case lease::LeaseStatus::kTtlTooLarge: return "etcdserver: too large lease TTL";
    case lease::LeaseStatus::kLeaseNotFound: return "etcdserver: requested lease not found";
    case lease::LeaseStatus::kNotPrimary: return "etcdserver: not leader";
  }
  return "etcdserver: unknown lease error";
}

}  // namespace raftlab::server
