#include "sim/availability.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "sim/fault.h"

namespace raftlab::sim {

std::vector<raft::NodeId> AvailabilityMonitor::HealthyMajority(
    const std::vector<raft::NodeId>& healthy, const ConnectedFn& connected) const {
  const size_t n = healthy.size();
  const size_t majority = static_cast<size_t>(nodes_) / 2 + 1;
  std::vector<raft::NodeId> best;
  if (n < majority || n > 16) return best;
  // Clusters have at most 9 members: every subset is cheap to try.
  for (uint32_t mask = 1; mask < (1U << n); ++mask) {
    const auto size = static_cast<size_t>(std::popcount(mask));
    if (size < majority || size <= best.size()) continue;
    bool clique = true;
    for (size_t i = 0; i < n && clique; ++i) {
      if (!(mask >> i & 1U)) continue;
      for (size_t j = i + 1; j < n && clique; ++j) {
        if ((mask >> j & 1U) && !connected(healthy[i], healthy[j])) clique = false;
      }
    }
    if (!clique) continue;
    best.clear();
    for (size_t i = 0; i < n; ++i) {
      if (mask >> i & 1U) best.push_back(healthy[i]);
    }
  }
  return best;
}

std::optional<std::string> AvailabilityMonitor::Probe(TimeNs now,
                                                      const std::vector<raft::NodeId>& healthy,
                                                      raft::NodeId leader,
                                                      const ConnectedFn& connected) {
  const std::vector<raft::NodeId> group = HealthyMajority(healthy, connected);
  // Led: the leader is in some healthy connected majority (with several
  // overlapping ones, e.g. around a one-way cut, any will do).
  bool led = false;
  if (!group.empty() && std::find(healthy.begin(), healthy.end(), leader) != healthy.end()) {
    std::vector<raft::NodeId> with_leader{leader};
    for (raft::NodeId id : healthy) {
      if (id != leader && connected(id, leader)) with_leader.push_back(id);
    }
    // Everyone here reaches the leader, so the largest clique includes it.
    led = !HealthyMajority(with_leader, connected).empty();
  }
  if (group.empty() || led || group != group_) {
    // The outage (if any) ended, or the healthy group changed: start over.
    since_.reset();
    reported_ = false;
    group_ = group;
    if (group.empty() || led) return std::nullopt;
  }
  if (!since_) since_ = now;
  if (reported_ || now - *since_ < bound_) return std::nullopt;
  reported_ = true;
  std::vector<std::string> names;
  for (raft::NodeId id : group) names.push_back(NodeName(id));
  return fmt::format(
      "liveness: healthy connected majority {} had no leader for {} (from {} during the faults)",
      fmt::join(names, ","), FormatDuration(bound_), FormatDuration(*since_));
}

}  // namespace raftlab::sim
