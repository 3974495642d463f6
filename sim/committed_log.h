// CommittedLog: the committed write order of a run, recorded as members
// apply it -- the oracle the watch, lease and durability checkers judge
// against. The first member to apply a revision defines it (with the time);
// every later member that applies the same revision must agree, or the run
// gets an "mvcc: " finding (replicas diverged: state machine safety). A
// running member's revision never goes back either (only a restart may
// restore an older state).
//
// Revisions at or below a member's compact revision are not compared: a
// member that applied a write and a compaction in one batch no longer holds
// every change of the older revision.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checker/sim_records.h"
#include "core/raft/types.h"
#include "core/server/server.h"
#include "sim/core/event_queue.h"

namespace raftlab::sim {

class CommittedLog {
 public:
  // After `node` applied a Ready (or restarted from disk: `restarted`).
  void Observe(raft::NodeId node, const mvcc::KvStore& kv, TimeNs now, bool restarted);

  const checker::CommittedHistory& history() const { return history_; }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  void Compare(raft::NodeId node, int64_t revision, std::vector<checker::KvChange> changes,
               TimeNs now);

  std::map<raft::NodeId, int64_t> seen_;  // per member: revisions up to here were observed
  checker::CommittedHistory history_;
  std::vector<std::string> violations_;
};

}  // namespace raftlab::sim
