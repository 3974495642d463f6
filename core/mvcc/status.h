// Outcomes of KV requests. These are expected, client-visible results
// (etcd's sentinel errors), returned as values next to the response.
#pragma once

namespace raftlab::mvcc {

enum class KvStatus {
  kOk,
  kEmptyKey,        // a request key is empty (S3.2)
  kKeyNotFound,     // ignore_value / ignore_lease on a missing key (S4.3)
  kValueProvided,   // ignore_value together with a value (S4.3)
  kLeaseProvided,   // ignore_lease together with a lease (S4.3)
  kLeaseNotFound,   // a put names a lease that does not exist (S4.4)
  kTooManyOps,      // a txn branch or guard exceeds the op limit (S5.5)
  kDuplicateKey,    // a txn branch writes one key twice (S5.5)
  kFutureRev,       // revision above the current one (S3.3, S6.1)
  kCompacted,       // revision below the compact revision (S3.3, S6.1)
};

const char* KvStatusName(KvStatus status);

// A response together with its outcome. The response is meaningful only when
// status == kOk.
template <class T>
struct Outcome {
  KvStatus status = KvStatus::kOk;
  T response;

  bool ok() const { return status == KvStatus::kOk; }
};

}  // namespace raftlab::mvcc
