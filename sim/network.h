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

  void Send(raft::Message m);

  // Partitions are sets of blocked directed links installed under a tag, so
  // overlapping faults heal independently: Unblock(tag) ends one, Heal()
  // ends all. A message on a blocked link is dropped (also in flight).
  using Link = std::pair<raft::NodeId, raft::NodeId>;
  uint64_t Block(const std::vector<Link>& links);
  void Unblock(uint64_t tag);
  // Links that split `groups` apart (both ways).
  static std::vector<Link> SplitLinks(const std::vector<std::vector<raft::NodeId>>& groups);
  void Heal();
  bool Blocked(raft::NodeId from, raft::NodeId to) const {
    return blocked_.count({from, to}) != 0;
  }
  bool partitioned() const { return !blocked_.empty(); }
  // Clogging: messages to or from `node` are held (not lost) until the
  // clog ends, then delivered in their original order.
  uint64_t Clog(raft::NodeId node);
  bool NodeClogged(raft::NodeId node) const;
  void Unclog(uint64_t tag);

  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }

 private:
  TimeNs Latency();
  void Schedule(raft::Message m, bool reorder);
  bool Clogged(const raft::Message& m) const;
  void ReleaseHeld();

  NetworkModel model_;
  Prng prng_;
  EventQueue* queue_;
  Trace* trace_;
  DeliverFn deliver_;
  DropFn on_drop_;
  std::map<Link, int> blocked_;                  // link -> partitions blocking it
  std::map<uint64_t, std::vector<Link>> partitions_;  // tag -> its links
  std::map<uint64_t, raft::NodeId> clogs_;           // tag -> clogged node
  std::vector<raft::Message> held_;                  // clogged, in send order
  uint64_t next_tag_ = 0;
  std::map<std::pair<raft::NodeId, raft::NodeId>, TimeNs> last_delivery_;  // FIFO per link
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace raftlab::sim
