#include "core/mvcc/status.h"

#include "core/base/check.h"

namespace raftlab::mvcc {

const char* KvStatusName(KvStatus status) {
  switch (status) {
    case KvStatus::kOk: return "ok";
    case KvStatus::kEmptyKey: return "empty-key";
    case KvStatus::kKeyNotFound: return "key-not-found";
    case KvStatus::kValueProvided: return "value-provided";
    case KvStatus::kLeaseProvided: return "lease-provided";
    case KvStatus::kLeaseNotFound: return "lease-not-found";
    case KvStatus::kTooManyOps: return "too-many-ops";
    case KvStatus::kDuplicateKey: return "duplicate-key";
    case KvStatus::kFutureRev: return "future-rev";
    case KvStatus::kCompacted: return "compacted";
  }
  UNREACHABLE();
}

}  // namespace raftlab::mvcc
