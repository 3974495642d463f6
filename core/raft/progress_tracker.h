// ProgressTracker: the active configuration (voters, learners, joint state)
// and the leader's Progress for every member, plus the votes of the current
// election.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/raft/progress.h"
#include "core/raft/quorum.h"
#include "core/raft/types.h"

namespace raftlab::raft {

struct TrackerConfig {
  JointConfig voters;
  // Leave the joint configuration automatically once it is committed.
  bool auto_leave = false;
  // Invariant: disjoint from voters (both halves).
  std::set<NodeId> learners;
  // Outgoing voters that become learners when the joint config is left.
  // Invariant: each is in voters.outgoing and not in learners.
  std::set<NodeId> learners_next;

  std::string String() const;
  bool operator==(const TrackerConfig&) const = default;
};

using ProgressMap = std::map<NodeId, Progress>;  // ordered: iteration reaches messages

class ProgressTracker {
 public:
  ProgressTracker(size_t max_inflight, uint64_t max_inflight_bytes)
      : max_inflight_(max_inflight), max_inflight_bytes_(max_inflight_bytes) {}

  TrackerConfig config;
  ProgressMap progress;
  std::map<NodeId, bool> votes;

  ConfState GetConfState() const;
  bool IsSingleton() const;
  // The largest index acknowledged (match) by a quorum of voters.
  uint64_t Committed() const;
  // True if a quorum of voters was recently active (check-quorum).
  bool QuorumActive() const;
  std::vector<NodeId> VoterNodes() const;   // sorted
  std::vector<NodeId> LearnerNodes() const; // sorted

  void ResetVotes() { votes.clear(); }
  // Records id's vote unless it already voted (a vote is counted once).
  void RecordVote(NodeId id, bool granted);
  // Returns granted and rejected counts and the outcome.
  VoteResult TallyVotes(size_t* granted, size_t* rejected) const;

  size_t max_inflight() const { return max_inflight_; }
  uint64_t max_inflight_bytes() const { return max_inflight_bytes_; }

 private:
  size_t max_inflight_;
  uint64_t max_inflight_bytes_;
};

}  // namespace raftlab::raft
