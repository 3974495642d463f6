// FaultInjector: carries out FaultEvents against a running cluster — the
// network, the member processes, their disks and clocks, and cluster
// operations through the leader. Symbolic targets resolve when the event
// fires; an event with a duration schedules its own undo. Every event it
// fires is logged (with the targets it drew at random made concrete), so a
// run's faults can be written out as an explicit schedule.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "sim/core/event_queue.h"
#include "sim/core/trace.h"
#include "sim/fault.h"
#include "sim/network.h"
#include "sim/node_host.h"

namespace raftlab::sim {

class FaultInjector {
 public:
  using LeaderFn = std::function<raft::NodeId()>;

  FaultInjector(EventQueue* queue, Trace* trace, Network* network,
                std::vector<std::unique_ptr<NodeHost>>* nodes, Prng prng, LeaderFn leader)
      : queue_(queue), trace_(trace), network_(network), nodes_(nodes), prng_(prng),
        leader_(std::move(leader)) {}

  // Fires `e` now (e.at is informational here).
  void Fire(const FaultEvent& e);
  // Schedules `e` at e.at.
  void Schedule(const FaultEvent& e);
  // Ends every fault: partitions, clogs, pauses, slowness, disk faults,
  // drift; restarts stopped members (not those whose disk is damaged).
  void HealAll();
  // Stops firing scheduled events and undos (the liveness phase).
  void Disable() { enabled_ = false; }

  const std::vector<FaultEvent>& fired() const { return fired_; }
  uint64_t count() const { return fired_.size(); }
  // Faults started or ended so far (a fault with a duration counts twice).
  uint64_t changes() const { return changes_; }

 private:
  // Resolves a target name to a node, or 0 if it cannot be (no leader).
  raft::NodeId Resolve(const std::string& name, raft::NodeId avoid = 0);
  std::vector<raft::NodeId> Ids() const;
  NodeHost& Node(raft::NodeId id) { return *(*nodes_)[id - 1]; }
  // Each returns the undo action, or nullptr.
  std::function<void()> Apply(const FaultEvent& e, const std::vector<raft::NodeId>& targets,
                              std::string* note);
  std::function<void()> ApplyNetwork(const FaultEvent& e,
                                     const std::vector<raft::NodeId>& targets);
  std::function<void()> ApplyCluster(const FaultEvent& e,
                                     const std::vector<raft::NodeId>& targets,
                                     std::string* note);
  std::vector<std::vector<raft::NodeId>> Halves(raft::NodeId bridge);
  void Note(const std::string& text) {
    trace_->Add(queue_->now(), TraceKind::kFault, 0, 0, 0, 0, text);
  }

  EventQueue* queue_;
  Trace* trace_;
  Network* network_;
  std::vector<std::unique_ptr<NodeHost>>* nodes_;
  Prng prng_;
  LeaderFn leader_;
  bool enabled_ = true;
  std::vector<FaultEvent> fired_;
  uint64_t changes_ = 0;
  uint64_t next_request_id_ = 0;
};

}  // namespace raftlab::sim
