#include "core/raft/config.h"

#include <string>

namespace raftlab::raft {
namespace {

Status Invalid(const std::string& why) { return MakeError(ErrorCode::kInvalidArgument, why); }

}  // namespace

Status Config::Validate() const {
  if (id == kNone) return Invalid("cannot use none as id");
  if (heartbeat_tick <= 0) return Invalid("heartbeat tick must be greater than 0");
  if (election_tick <= heartbeat_tick) {
    return Invalid("election tick must be greater than heartbeat tick");
  }
  if (storage == nullptr) return Invalid("storage cannot be nil");
  if (prng == nullptr) return Invalid("prng cannot be nil: election timeouts need randomness");
  if (max_inflight_msgs == 0) return Invalid("max inflight messages must be greater than 0");
  if (max_uncommitted_entries_size == 0) {
    return Invalid("max uncommitted entries size must be greater than 0");
  }
  if (max_inflight_bytes != 0 && max_inflight_bytes < max_size_per_msg) {
    return Invalid("max inflight bytes must be >= max message size");
  }
  // Bug zoo B09 (lease-read-no-check-quorum): without check-quorum nothing
  // makes a partitioned leader step down, so its lease never ends.
  if (read_only_option == ReadOnlyOption::kLeaseBased && !check_quorum &&
      !bugs.Has(Bug::kLeaseReadNoCheckQuorum)) {
    return Invalid("check_quorum must be enabled when read_only_option is lease-based");
  }
  if (max_clock_drift_ppm >= 1'000'000) return Invalid("max clock drift must be below 1000000 ppm");
  return OkStatus();
}

}  // namespace raftlab::raft
