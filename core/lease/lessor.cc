#include "core/lease/lessor.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::lease {

const char* LeaseStatusName(LeaseStatus status) {
  switch (status) {
    case LeaseStatus::kOk: return "ok";
    case LeaseStatus::kLeaseExists: return "lease-exists";
    case LeaseStatus::kTtlTooLarge: return "ttl-too-large";
    case LeaseStatus::kLeaseNotFound: return "lease-not-found";
    case LeaseStatus::kNotPrimary: return "not-primary";
  }
  UNREACHABLE();
}

Lessor::Lessor(int64_t min_ttl_seconds) : min_ttl_seconds_(min_ttl_seconds) {
  CHECK_GE(min_ttl_seconds_, 1);
  CHECK_LE(min_ttl_seconds_, kMaxLeaseTtlSeconds);
}

void Lessor::SetExpiry(int64_t id, Lease* lease, int64_t expiry_ms) {
  if (lease->expiry_ms != kNever) CHECK_EQ(expiry_queue_.erase({lease->expiry_ms, id}), 1u);
  lease->expiry_ms = expiry_ms;
  if (expiry_ms != kNever) expiry_queue_.insert({expiry_ms, id});
  if (!primary_) CHECK_EQ(expiry_ms, kNever);
}

GrantResult Lessor::Grant(int64_t id, int64_t ttl_seconds, int64_t now_ms) {
  GrantResult out;
  if (ttl_seconds > kMaxLeaseTtlSeconds) {
    out.status = LeaseStatus::kTtlTooLarge;
    return out;
  }
  if (id == 0) {
    // Server-chosen: the lowest unused ID from next_id_, deterministic on
    // every replica because grants apply in log order.
    while (leases_.contains(next_id_)) ++next_id_;
    id = next_id_++;
  } else if (leases_.contains(id)) {
    out.status = LeaseStatus::kLeaseExists;
    return out;
  }
  CHECK_NE(id, 0);
  Lease& lease = leases_[id];
  lease.ttl_seconds = std::max(ttl_seconds, min_ttl_seconds_);
  if (primary_) SetExpiry(id, &lease, now_ms + lease.ttl_seconds * 1000);
  out.id = id;
  out.ttl_seconds = lease.ttl_seconds;
  CHECK_GE(out.ttl_seconds, min_ttl_seconds_);
  return out;
}

RevokeResult Lessor::Revoke(int64_t id) {
  RevokeResult out;
  auto it = leases_.find(id);
  if (it == leases_.end()) {
    out.status = LeaseStatus::kLeaseNotFound;
    return out;
  }
  out.keys.assign(it->second.keys.begin(), it->second.keys.end());  // ascending (S1.4)
  SetExpiry(id, &it->second, kNever);
  leases_.erase(it);
  CHECK(!LeaseExists(id));
  return out;
}

LeaseStatus Lessor::Checkpoint(int64_t id, int64_t remaining_seconds) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return LeaseStatus::kLeaseNotFound;
  CHECK_GE(remaining_seconds, 0);
  it->second.remaining_seconds = remaining_seconds;
  return LeaseStatus::kOk;
}

KeepAliveResult Lessor::KeepAlive(int64_t id, int64_t now_ms) {
  KeepAliveResult out;
  if (!primary_) {
    out.status = LeaseStatus::kNotPrimary;
    return out;
  }
  auto it = leases_.find(id);
  if (it == leases_.end()) {
    out.status = LeaseStatus::kLeaseNotFound;
    return out;
  }
  Lease& lease = it->second;
  if (lease.expiry_ms <= now_ms) {
    // Expired: its revoke may already be in the log. Renewing now would
    // acknowledge a lease that is about to vanish (etcd's Renew waits for the
    // revoke instead); the client must treat it as gone (S8.3, S8.7).
    out.status = LeaseStatus::kLeaseNotFound;
    return out;
  }
  lease.remaining_seconds = 0;  // a renewal supersedes any checkpoint
  SetExpiry(id, &lease, now_ms + lease.ttl_seconds * 1000);
  out.ttl_seconds = lease.ttl_seconds;
  CHECK_GT(out.ttl_seconds, 0);
  return out;
}

TimeToLiveResult Lessor::TimeToLive(int64_t id, int64_t now_ms, bool with_keys) const {
  TimeToLiveResult out;
  auto it = leases_.find(id);
  if (it == leases_.end()) {
    out.status = LeaseStatus::kLeaseNotFound;
    return out;
  }
  if (!primary_) {
    out.status = LeaseStatus::kNotPrimary;
    return out;
  }
  const Lease& lease = it->second;
  CHECK_NE(lease.expiry_ms, kNever);
  out.remaining_seconds = std::max<int64_t>(0, (lease.expiry_ms - now_ms) / 1000);
  out.granted_ttl_seconds = lease.ttl_seconds;
  if (with_keys) out.keys.assign(lease.keys.begin(), lease.keys.end());
  return out;
}

void Lessor::Promote(int64_t now_ms, int64_t extend_ms) {
  CHECK_GE(extend_ms, 0);
  primary_ = true;
  for (auto& [id, lease] : leases_) {
    const int64_t base_s = lease.remaining_seconds > 0 ? lease.remaining_seconds
                                                       : lease.ttl_seconds;
    SetExpiry(id, &lease, now_ms + extend_ms + base_s * 1000);
  }
  CHECK_EQ(expiry_queue_.size(), leases_.size());
}

void Lessor::Demote() {
  for (auto& [id, lease] : leases_) SetExpiry(id, &lease, kNever);
  primary_ = false;
  CHECK(expiry_queue_.empty());
}

std::vector<int64_t> Lessor::ExpiredLeases(int64_t now_ms) const {
  std::vector<int64_t> out;
  if (!primary_) return out;  // S8.5: only the leader expires leases
  for (const auto& [expiry_ms, id] : expiry_queue_) {
    if (expiry_ms > now_ms) break;
    out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> Lessor::LeaseIds() const {
  std::vector<int64_t> out;
  for (const auto& entry : leases_) out.push_back(entry.first);
  return out;
}

void Lessor::Attach(int64_t id, std::string_view key) {
  auto it = leases_.find(id);
  CHECK(it != leases_.end());
  it->second.keys.insert(std::string(key));
}

void Lessor::Detach(int64_t id, std::string_view key) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return;  // revoked before its keys were deleted
  it->second.keys.erase(std::string(key));
}

etcdserverpb::TxnRequest RevokeTxn(const std::vector<std::string>& keys) {
  etcdserverpb::TxnRequest txn;
  for (const std::string& key : keys) {
    CHECK(!key.empty());
    txn.add_success()->mutable_request_delete_range()->set_key(key);
  }
  CHECK_EQ(txn.success_size(), static_cast<int>(keys.size()));
  return txn;
}

}  // namespace raftlab::lease
