// ProgressInvariants: the leader's replication bookkeeping, watched between
// its steps. Within one term and one configuration a follower's match never
// moves back (the follower acknowledged those entries once they were
// durable; nothing can take that back) and stays below its next. A match
// that regresses makes the leader resend what the follower holds, and in
// implementations that derive commit from it, can move commit (BUGZOO B27;
// raft.tla issue 18, etcd-io/raft PR 149).
//
// The host calls Check after every step of a node; it costs one pass over
// the leader's progress map and nothing on followers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/raft/types.h"

namespace raftlab::raft {

class Raft;

class ProgressInvariants {
 public:
  // Returns the violations since the previous call (empty if none).
  std::vector<std::string> Check(const Raft& r);

 private:
  bool leader_ = false;
  uint64_t term_ = 0;
  uint64_t config_switches_ = 0;
  std::map<NodeId, uint64_t> match_;  // per follower, at the previous call
};

}  // namespace raftlab::raft
