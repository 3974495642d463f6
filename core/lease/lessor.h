// Lessor: etcd v3 leases (SEMANTICS.md S8), pure: time enters only as
// integer milliseconds of the caller's (leader-local) clock.
//
// Contract:
// - Replicated state (the same on every replica, applied in log order):
//   which leases exist, their granted TTL, checkpointed remaining TTL, the
//   keys attached to each, and the next server-chosen ID. Encode/Decode
//   carry exactly this.
// - Leader-local state: whether this replica is primary and each lease's
//   expiry time. Only a primary tracks expiry, answers KeepAlive and
//   TimeToLive, and reports expired leases; it never deletes anything itself
//   -- the server proposes a Revoke through Raft for each expired ID (S8.5).
// - Revoke returns the attached keys in ascending order; the server deletes
//   them in one revision (RevokeTxn) (S8.2, S1.4).
// - A lease is never reported expired before ttl has elapsed since the last
//   renewal (grant, keepalive or promotion) on this primary (S8.5, S8.7).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "core/mvcc/lease_binder.h"
#include "rpc.pb.h"

namespace raftlab::lease {

inline constexpr int64_t kMaxLeaseTtlSeconds = 9'000'000'000;  // etcd's MaxLeaseTTL
inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

enum class LeaseStatus { kOk, kLeaseExists, kTtlTooLarge, kLeaseNotFound, kNotPrimary };

const char* LeaseStatusName(LeaseStatus status);

struct GrantResult {
  LeaseStatus status = LeaseStatus::kOk;
  int64_t id = 0;
  int64_t ttl_seconds = 0;  // after raising to the minimum
};

struct RevokeResult {
  LeaseStatus status = LeaseStatus::kOk;
  std::vector<std::string> keys;  // ascending; delete them in one revision
};

struct KeepAliveResult {
  LeaseStatus status = LeaseStatus::kOk;
  int64_t ttl_seconds = 0;  // 0 unless kOk (S8.3)
};

struct TimeToLiveResult {
  LeaseStatus status = LeaseStatus::kOk;
  int64_t remaining_seconds = -1;  // whole seconds, rounded down; -1 if unknown (S8.4)
  int64_t granted_ttl_seconds = 0;
  std::vector<std::string> keys;  // ascending, when asked for
};

class Lessor : public mvcc::LeaseBinder {
 public:
  // REQUIRES: min_ttl_seconds >= 1 (the server passes ceil(1.5 * election timeout)).
  explicit Lessor(int64_t min_ttl_seconds);

  // Replicated operations.
  GrantResult Grant(int64_t id, int64_t ttl_seconds, int64_t now_ms);
  RevokeResult Revoke(int64_t id);
  // Records a checkpointed remaining TTL, used by the next Promote (S8.6).
  LeaseStatus Checkpoint(int64_t id, int64_t remaining_seconds);

  // Leader-local operations. A lease already expired on this primary is not
  // renewed (kLeaseNotFound): its revoke may be on its way through Raft.
  KeepAliveResult KeepAlive(int64_t id, int64_t now_ms);
  TimeToLiveResult TimeToLive(int64_t id, int64_t now_ms, bool with_keys) const;
  // Becomes primary: each lease expires at now + extend + (checkpointed
  // remaining TTL if any, else the full TTL) (S8.6).
  void Promote(int64_t now_ms, int64_t extend_ms);
  // Stops all expiry (S8.6).
  void Demote();
  // IDs of leases whose expiry is <= now, ascending; empty unless primary.
  std::vector<int64_t> ExpiredLeases(int64_t now_ms) const;

  bool is_primary() const { return primary_; }
  int64_t min_ttl_seconds() const { return min_ttl_seconds_; }
  std::vector<int64_t> LeaseIds() const;

  // mvcc::LeaseBinder
  bool LeaseExists(int64_t id) const override { return leases_.contains(id); }
  void Attach(int64_t id, std::string_view key) override;
  void Detach(int64_t id, std::string_view key) override;

  // The replicated state as checksummed bytes; a decoded lessor is not primary.
  std::string Encode() const;
  static Result<Lessor> Decode(std::string_view bytes, int64_t min_ttl_seconds);

 private:
  struct Lease {
    int64_t ttl_seconds = 0;
    int64_t remaining_seconds = 0;  // checkpoint; 0: none
    int64_t expiry_ms = kNever;     // Invariant: kNever unless primary_.
    std::set<std::string> keys;
  };

  void SetExpiry(int64_t id, Lease* lease, int64_t expiry_ms);

  int64_t min_ttl_seconds_;
  bool primary_ = false;
  int64_t next_id_ = 1;  // Invariant: > 0.
  std::map<int64_t, Lease> leases_;
  // Invariant: holds (expiry, id) for exactly the leases with expiry != kNever.
  std::set<std::pair<int64_t, int64_t>> expiry_queue_;
};

// A Txn that deletes `keys` in one revision, for applying a revoke.
etcdserverpb::TxnRequest RevokeTxn(const std::vector<std::string>& keys);

}  // namespace raftlab::lease
