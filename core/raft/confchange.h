// Configuration changes: entering and leaving joint consensus, single-step
// changes, and rebuilding a configuration from a ConfState.
//
// Every function works on a copy of the tracker's configuration and progress
// and returns the new pair, or an error string for a change that is not
// allowed (two voters changed without joint consensus, removing all voters,
// entering joint twice...). Invariants are checked before and after.
#pragma once

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/raft/progress_tracker.h"
#include "core/raft/types.h"

namespace raftlab::raft {

struct ConfigAndProgress {
  TrackerConfig config;
  ProgressMap progress;
};

using ChangeResult = tl::expected<ConfigAndProgress, std::string>;

class Changer {
 public:
  // `last_index` is the leader's last log index; new members start probing there.
  Changer(const ProgressTracker& tracker, uint64_t last_index)
      : tracker_(tracker), last_index_(last_index) {}

  // Enters a joint configuration: outgoing = current voters, incoming = the
  // voters after `changes`.
  ChangeResult EnterJoint(bool auto_leave, const std::vector<ConfChangeSingle>& changes) const;
  // Leaves the joint configuration: drops outgoing, turns learners_next into learners.
  ChangeResult LeaveJoint() const;
  // Applies changes that alter at most one voter, without joint consensus.
  ChangeResult Simple(const std::vector<ConfChangeSingle>& changes) const;

 private:
  ConfigAndProgress Copy() const;
  tl::expected<void, std::string> Apply(ConfigAndProgress* cp,
                                        const std::vector<ConfChangeSingle>& changes) const;
  void MakeVoter(ConfigAndProgress* cp, NodeId id) const;
  void MakeLearner(ConfigAndProgress* cp, NodeId id) const;
  void Remove(ConfigAndProgress* cp, NodeId id) const;
  void InitProgress(ConfigAndProgress* cp, NodeId id, bool learner) const;

  const ProgressTracker& tracker_;
  uint64_t last_index_;
};

// Checks the structural invariants of a configuration; returns an error
// string describing the first violation, or an empty string.
std::string CheckConfigInvariants(const ConfigAndProgress& cp);

// Rebuilds the configuration described by `cs` by applying it as a sequence
// of changes to an empty configuration (so it passes every check above).
ChangeResult RestoreConfig(const ProgressTracker& empty_tracker, uint64_t last_index,
                           const ConfState& cs);

// Describes changes as "v1 l2 r3 u4" (add voter, add learner, remove, update).
std::string DescribeChanges(const std::vector<ConfChangeSingle>& changes);

}  // namespace raftlab::raft
