// AvailabilityMonitor: the liveness check that runs during the faults. If a
// majority of the members are healthy (running, not paused, slowed,
// stalled or clock-drifted) and can all reach each other both ways, Raft
// must have a leader among them within a bound — no matter what happens
// to the other members. This catches pre-vote and election deadlocks
// (BUGZOO B14, B15, B21) that heal on their own once every fault ends and
// so escape the liveness phase.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/types.h"
#include "sim/core/event_queue.h"

namespace raftlab::sim {

class AvailabilityMonitor {
 public:
  // connected(a, b): a and b exchange messages both ways.
  using ConnectedFn = std::function<bool(raft::NodeId, raft::NodeId)>;

  AvailabilityMonitor(int nodes, TimeNs bound) : nodes_(nodes), bound_(bound) {}

  // One probe at `now`. `healthy` lists healthy members; `leader` is the
  // current leader (0 if none). Returns a violation once per outage that
  // lasts longer than the bound.
  std::optional<std::string> Probe(TimeNs now, const std::vector<raft::NodeId>& healthy,
                                   raft::NodeId leader, const ConnectedFn& connected);

  // The largest set of healthy members that all reach each other (ties: the
  // first in id order), if it is a majority; else empty.
  std::vector<raft::NodeId> HealthyMajority(const std::vector<raft::NodeId>& healthy,
                                            const ConnectedFn& connected) const;

 private:
  int nodes_;
  TimeNs bound_;
  std::optional<TimeNs> since_;  // a healthy majority has been leaderless since
  std::vector<raft::NodeId> group_;
  bool reported_ = false;
};

}  // namespace raftlab::sim
