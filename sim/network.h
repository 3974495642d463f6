// Network: delivers Raft messages between simulated nodes with per-message
// latency (uniform plus a long tail), loss, duplication and reordering, and
// partitions expressed as blocked directed links. Each link is FIFO (like a
// TCP stream) unless a message is picked for reordering.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/types.h"
#include "sim/config.h"
#include "sim/core/event_queue.h"
#include "sim/core/trace.h"

namespace raftlab::sim {

class Network {
 public:
  using DeliverFn = std::function<void(const raft::Message&)>;
  using DropFn = std::function<void(const raft::Message&)>;

  Network(const NetworkModel& model, Prng prng, EventQueue* queue, Trace* trace)
      : model_(model), prng_(prng), queue_(queue), trace_(trace) {}

  void set_deliver(DeliverFn fn) { deliver_ = std::move(fn); }
  void set_on_drop(DropFn fn) { on_drop_ = std::move(fn); }

  void Send(const raft::Message& m);

  // Partitions. Cut is one-way (from cannot reach to).
  void Cut(raft::NodeId from, raft::NodeId to) { blocked_.insert({from, to}); }
  void CutBoth(raft::NodeId a, raft::NodeId b) {
    Cut(a, b);
    Cut(b, a);
  }
  // Splits nodes into groups that cannot talk to each other.
  void Split(const std::vector<std::vector<raft::NodeId>>& groups);
  void Isolate(raft::NodeId id, const std::vector<raft::NodeId>& all);
  void Heal() { blocked_.clear(); }
  bool Blocked(raft::NodeId from, raft::NodeId to) const {
    return blocked_.count({from, to}) != 0;
  }
  bool partitioned() const { return !blocked_.empty(); }

  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }

 private:
  TimeNs Latency();

  NetworkModel model_;
  Prng prng_;
  EventQueue* queue_;
  Trace* trace_;
  DeliverFn deliver_;
  DropFn on_drop_;
  std::set<std::pair<raft::NodeId, raft::NodeId>> blocked_;
  std::map<std::pair<raft::NodeId, raft::NodeId>, TimeNs> last_delivery_;  // FIFO per link
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace raftlab::sim
