// AvailabilityMonitor: the liveness checks that run during the faults, on a
// probe every 100 ms of simulated time. "Healthy" members are running, not
// paused, slowed, stalled or clock-drifted; "connected" means messages flow
// both ways. Three properties:
//
// 1. Elect: if a majority of the members are healthy and all reach each
//    other, Raft must have a leader within a bound, whatever happens to the
//    other members. Catches pre-vote and election deadlocks (BUGZOO B14,
//    B15, B21) that heal on their own once every fault ends and so escape
//    the liveness phase.
// 2. Stay: with pre-vote and check-quorum on, a leader that a healthy
//    majority of its voters hears keeps its term: every such follower is in
//    its lease and refuses pre-votes, so nobody else can win one, and no
//    term may rise (Raft thesis §9.6; Howard & Abraham 2020 on omission
//    faults). Judged once the leader and its group have been steady, with
//    no fault starting or ending, for `arm_delay` (so every follower has
//    heard a heartbeat), and only if no member already held a higher term
//    then (a candidate cut off mid-election may still legitimately depose
//    it). Catches disruptive rejoins and flip-flops (B12, B13).
//    Any fault starting or ending, and any probe that finds the leader
//    unsettled (see ClusterProbe), restarts this judgement: faults and
//    membership changes move leadership legitimately.
// 3. Serve: such a leader (same term, same group, faults elsewhere allowed)
//    acknowledges some client write within `serve_bound` if clients sent
//    at least two writes to its group meanwhile (B18: every proposal
//    dropped on a healthy cluster). Two, so that one still in flight at the
//    probe does not count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/types.h"
#include "sim/core/event_queue.h"

namespace raftlab::sim {

// What the simulator sees at one probe.
struct ClusterProbe {
  TimeNs now = 0;
  std::vector<raft::NodeId> healthy;  // sorted
  raft::NodeId leader = 0;            // the current leader, 0 if none
  uint64_t leader_term = 0;
  std::vector<raft::NodeId> voters;   // the leader's configuration
  // The leader is a voter, transfers no leadership, has no configuration
  // change in flight: otherwise it may hand leadership on legitimately.
  bool leader_settled = false;
  std::vector<uint64_t> terms;        // terms[id - 1] of every running member, 0 if down
  uint64_t fault_changes = 0;         // faults started or ended so far
  std::vector<uint64_t> writes_invoked;  // [id - 1]: client writes sent to each member so far
  uint64_t writes_ok = 0;                // client writes acknowledged so far
};

class AvailabilityMonitor {
 public:
  // connected(a, b): a and b exchange messages both ways.
  using ConnectedFn = std::function<bool(raft::NodeId, raft::NodeId)>;

  struct Options {
    TimeNs bound = 0;        // property 1
    bool stay = false;       // property 2 applies (pre-vote and check-quorum on)
    TimeNs arm_delay = 0;    // property 2: steady this long before judging
    TimeNs serve_bound = 0;  // property 3
  };

  AvailabilityMonitor(int nodes, Options options) : nodes_(nodes), options_(options) {}

  // One probe. Returns the violations found (each reported once per episode).
  std::vector<std::string> Probe(const ClusterProbe& p, const ConnectedFn& connected);

  // The largest set of members of `among` that all reach each other (ties:
  // the first in id order), if it holds a majority of `of` (default: of all
  // members); else empty.
  std::vector<raft::NodeId> HealthyMajority(const std::vector<raft::NodeId>& among,
                                            const ConnectedFn& connected,
                                            const std::vector<raft::NodeId>* of = nullptr) const;

 private:
  // The healthy members that reach the leader and each other, if they hold
  // a majority of `of` (default: of all members); else empty.
  std::vector<raft::NodeId> LeaderGroup(const ClusterProbe& p, const ConnectedFn& connected,
                                        const std::vector<raft::NodeId>* of) const;
  std::optional<std::string> ProbeElect(const ClusterProbe& p, const ConnectedFn& connected);
  void ProbeStay(const ClusterProbe& p, const ConnectedFn& connected,
                 std::vector<std::string>* out);

  int nodes_;
  Options options_;
  // Property 1: a healthy majority has been leaderless since.
  std::optional<TimeNs> since_;
  std::vector<raft::NodeId> group_;
  bool reported_ = false;
  // Properties 2 and 3: the steady episode (leader, term, group).
  struct Steady {
    raft::NodeId leader = 0;
    uint64_t term = 0;
    std::vector<raft::NodeId> group;
    TimeNs since = 0;
    uint64_t writes_invoked = 0;  // to the group, at `since`
    uint64_t writes_ok = 0;
    bool reported_serve = false;
    // Property 2: since the last fault change within the episode.
    TimeNs calm_since = 0;
    bool armed = false;
    bool reported_stay = false;
  };
  std::optional<Steady> steady_;
  uint64_t fault_changes_ = 0;
};

}  // namespace raftlab::sim
