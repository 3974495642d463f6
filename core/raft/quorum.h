// Quorum math: committed index and vote outcome for a majority configuration
// and for a joint configuration (two majorities that must both agree).
//
// Pure functions of the voter sets and of per-voter acknowledgements. The
// property test compares them with a naive reference (tests/core/raft).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/raft/types.h"

namespace raftlab::raft {

enum class VoteResult : uint8_t {
  kPending,  // neither enough yes nor enough no votes yet
  kLost,
  kWon,
};
const char* VoteResultName(VoteResult result);

// Returns the index a voter has acknowledged, or nullopt if unknown.
using AckedIndexFn = std::function<std::optional<uint64_t>(NodeId)>;

// Largest index that an empty configuration "commits": anything, so that a
// joint configuration with an empty half is decided by the other half alone.
inline constexpr uint64_t kEmptyConfigCommitted = std::numeric_limits<uint64_t>::max();

class MajorityConfig {
 public:
  MajorityConfig() = default;
  explicit MajorityConfig(std::set<NodeId> ids) : ids_(std::move(ids)) {}

  const std::set<NodeId>& ids() const { return ids_; }
  std::set<NodeId>& mutable_ids() { return ids_; }
  bool empty() const { return ids_.empty(); }
  size_t size() const { return ids_.size(); }
  bool Contains(NodeId id) const { return ids_.count(id) != 0; }

  // The largest index acknowledged by a majority of the voters.
  uint64_t CommittedIndex(const AckedIndexFn& acked) const;
  // Outcome of a vote; `votes` maps voter to yes/no, absent means not yet voted.
  VoteResult Vote(const std::map<NodeId, bool>& votes) const;

  std::string String() const;  // "(1 2 3)"
  bool operator==(const MajorityConfig&) const = default;

 private:
  std::set<NodeId> ids_;
};

// incoming is the current (or new) config; outgoing is non-empty only while
// a joint configuration is in force.
struct JointConfig {
  MajorityConfig incoming;
  MajorityConfig outgoing;

  std::set<NodeId> Ids() const;
  bool Contains(NodeId id) const { return incoming.Contains(id) || outgoing.Contains(id); }
  uint64_t CommittedIndex(const AckedIndexFn& acked) const;
  VoteResult Vote(const std::map<NodeId, bool>& votes) const;
  std::string String() const;  // "(1 2 3)&&(1 2)" in a joint config
  bool operator==(const JointConfig&) const = default;
};

}  // namespace raftlab::raft
