// Invariants: the Raft safety properties checked over a whole cluster after
// every step of a harness or simulation, as a state check (properties of one
// observation) and a delta check (this observation against the previous ones).
//
// Checked: election safety (one leader per term, ever), log matching,
// leader completeness, committed entries never lost or changed, state
// machine safety (one entry applied per index, cluster-wide, across
// restarts), and monotonic term, vote, commit and applied. Violations are
// returned as sentences, never CHECKed: a broken invariant is a finding.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/raft/types.h"

namespace raftlab::raft {

// One node as observed by the harness.
struct NodeView {
  NodeId id = kNone;
  bool up = true;
  uint64_t incarnation = 0;  // bumps on every restart
  // Volatile state (meaningful only when up).
  uint64_t term = 0;
  NodeId vote = kNone;
  StateRole role = StateRole::kFollower;
  uint64_t commit = 0;
  uint64_t applied = 0;
  // The node's log: entries[k].index == first_index + k; the entry before is
  // covered by a snapshot at (snapshot_index, snapshot_term).
  uint64_t snapshot_index = 0;
  uint64_t snapshot_term = 0;
  std::vector<Entry> log;
  // Durable hard state (survives crashes).
  HardState durable;
};

class Raft;

// Fills the volatile fields of `v` (term, vote, role, commit, applied,
// snapshot_index) from a live node; the host adds the log and durable state
// from wherever it keeps them.
void ViewVolatileState(const Raft& r, NodeView* v);

class Invariants {
 public:
  // Checks `nodes` and remembers what it needs for the next delta check.
  // Returns the violations found (empty if none).
  std::vector<std::string> Check(const std::vector<NodeView>& nodes);

  // Records that `node` applied `entry`; returns a violation if another entry
  // was applied at that index anywhere before.
  std::vector<std::string> RecordApplied(NodeId node, const Entry& entry);

 private:
  void CheckElectionSafety(const NodeView& n, std::vector<std::string>* out);
  void CheckCommitted(const NodeView& n, std::vector<std::string>* out);
  void CheckLeaderCompleteness(const NodeView& n, std::vector<std::string>* out) const;
  void CheckDelta(const NodeView& n, std::vector<std::string>* out) const;
  // What the delta check compares with: a node's scalars, not its log
  // (copying every log again at every check cost more than the checks).
  struct Previous {
    bool up = false;
    uint64_t incarnation = 0;
    uint64_t term = 0;
    NodeId vote = kNone;
    uint64_t commit = 0;
    uint64_t applied = 0;
    HardState durable;
  };
  static void CheckLogMatching(const NodeView& a, const NodeView& b,
                               std::vector<std::string>* out);

  std::map<uint64_t, NodeId> leader_of_term_;
  struct Committed {
    Entry entry;
    // The smallest term of any node seen holding it as committed. The
    // commit happened in a term <= this, so every leader of a higher term
    // must have the entry (§5.4.1); a stale leader of a lower or equal term
    // may legitimately lack it.
    uint64_t term_bound = 0;
  };
  // Every entry ever seen committed. Invariant: the entry never changes.
  std::map<uint64_t, Committed> committed_;
  std::map<uint64_t, std::pair<NodeId, Entry>> applied_;
  std::map<NodeId, Previous> previous_;
};

}  // namespace raftlab::raft
