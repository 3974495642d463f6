// RaftNetwork: a deterministic in-memory host for bare Raft nodes, driven
// step by step. It is the harness of the interaction scripts, the Raft
// property tests, the benchmarks and `raftlab demo`; the full simulator
// (sim/) hosts KV servers with time, disks and faults instead.
//
// Each node has a MemoryStorage that stands for its durable state, a RawNode
// (absent while crashed) and a record of what it applied. Messages wait in
// one ordered queue until delivered or dropped. ProcessReady follows the
// Ready contract (raw_node.h) and CHECKs it: every vote and append response
// leaves only once what it promises is in the node's durable storage.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/invariants.h"
#include "core/raft/logger.h"
#include "core/raft/memory_storage.h"
#include "core/raft/raw_node.h"

namespace raftlab::sim {

struct RaftNodeOptions {
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool pre_vote = false;
  bool check_quorum = false;
  size_t max_inflight_msgs = 256;
  uint64_t max_inflight_bytes = 0;
  uint64_t max_size_per_msg = 1 << 20;
  uint64_t max_committed_size_per_ready = raft::kNoLimit;
  uint64_t max_uncommitted_entries_size = raft::kNoLimit;
  raft::ReadOnlyOption read_only = raft::ReadOnlyOption::kSafe;
  bool disable_proposal_forwarding = false;
};

class RaftNetwork {
 public:
  struct Node {
    raft::NodeId id = raft::kNone;
    RaftNodeOptions options;
    std::unique_ptr<Prng> prng;
    std::unique_ptr<raft::MemoryStorage> storage;  // the durable state
    std::unique_ptr<raft::RawNode> raw;            // null while crashed
    uint64_t incarnation = 0;
    uint64_t applied_index = 0;
    raft::ConfState conf_state;               // as of the last applied change
    std::vector<raft::Entry> applied;         // normal entries applied, this incarnation
    std::vector<raft::ReadState> read_states; // delivered by Readies, not yet consumed
  };

  // `logger` (optional) receives every node's log lines; it must outlive this.
  RaftNetwork(uint64_t seed, raft::Logger* logger);

  // Adds node `id` whose storage starts from `initial` (an empty snapshot
  // means an empty log: the node waits to receive a snapshot).
  void AddNode(raft::NodeId id, const RaftNodeOptions& options, const raft::Snapshot& initial);
  bool Has(raft::NodeId id) const { return nodes_.count(id) != 0; }
  Node& node(raft::NodeId id);
  const Node& node(raft::NodeId id) const;
  std::vector<raft::NodeId> Ids() const;

  // Handles one Ready of node `id`, if it has one: persist, queue messages,
  // apply, Advance. Appends a description to *out when given.
  bool ProcessReady(raft::NodeId id, std::string* out = nullptr);
  // Steps every queued message addressed to `to`, in order (dropping them if
  // `to` is down). Returns how many were delivered.
  size_t DeliverTo(raft::NodeId to, std::string* out = nullptr);
  // Steps one message into its recipient (nothing if the recipient is down).
  void Deliver(const raft::Message& m, std::string* out = nullptr);
  // Removes queued messages for which `pred` is true; reports dropped snapshots.
  size_t Drop(const std::function<bool(const raft::Message&)>& pred,
              std::string* out = nullptr);
  // Removes and returns the queued messages for which `pred` is true.
  std::vector<raft::Message> Take(const std::function<bool(const raft::Message&)>& pred);
  void Enqueue(raft::Message m) { in_flight_.push_back(std::move(m)); }
  const std::vector<raft::Message>& in_flight() const { return in_flight_; }

  // Processes Readies and delivers messages until nothing is left to do
  // (bounded by max_rounds). Returns true if it went quiet.
  bool Stabilize(std::string* out = nullptr, int max_rounds = 1000);

  // Crash: volatile state is gone; storage (all of it durable here) stays.
  void Crash(raft::NodeId id);
  // Restart from durable storage, applied state restored from its snapshot.
  void Restart(raft::NodeId id);

  // The cluster as the invariants checker sees it.
  std::vector<raft::NodeView> Views() const;
  // Runs the invariants; returns the violations (also those found while applying).
  std::vector<std::string> CheckInvariants();

 private:
  std::unique_ptr<raft::RawNode> MakeRawNode(Node& n, uint64_t applied);
  void Persist(Node& n, const raft::Ready& rd);
  void CheckDurable(const Node& n, const raft::Message& m) const;
  void Apply(Node& n, const raft::Ready& rd);

  Prng root_;
  raft::Logger* logger_;
  std::map<raft::NodeId, Node> nodes_;  // ordered: iteration order is part of a run
  std::vector<raft::Message> in_flight_;
  raft::Invariants invariants_;
  std::vector<std::string> pending_violations_;
};

}  // namespace raftlab::sim
