// Commit safety, checked at the moment an entry is committed: every log that
// could still win an election must hold every committed entry.
//
// The Raft invariants (core/raft/invariants.h) see a wrongly committed entry
// only once a later leader has overwritten it, which takes a second, unlikely
// interleaving (the committing leader must vanish before its own entries
// spread, and the right node must win next). This check judges the commit
// itself: a member that lacks the entry is "electable" if it may campaign (a
// voter, or a non-voter under Raft::NonVoterMayCampaign, whose own vote does
// not count) and, in every half of its configuration, a majority of the
// running members have logs no more up-to-date than its own (they would
// grant it their votes, Raft §5.4.1). In a correct Raft no such member
// exists once an entry is committed: a quorum holding an entry of the
// committing leader's term is more up-to-date than any log without the entry
// (the Leader Completeness argument), and that holds for the log a crashed
// member will recover too: a crashed member whose durable log the host knows
// exactly is a candidate (the leader of an abandoned term usually is). A
// member that is down never counts as a vote, so the check can miss a risk
// but never invent one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/quorum.h"
#include "core/raft/types.h"

namespace raftlab::sim {

// The log a crashed member will recover, when the host knows it exactly:
// terms by index after a snapshot. Kept by NodeHost for the check below.
struct DurableLog {
  bool known = false;
  uint64_t snapshot_index = 0;
  uint64_t snapshot_term = 0;
  std::vector<uint64_t> terms;  // terms[k] is the term of index snapshot_index + 1 + k
  // Whether the member may campaign once restarted (it could when it died:
  // Raft::CanCampaign, no conf change left to apply, so its config is the same).
  bool promotable = false;
  raft::JointConfig voters;

  uint64_t last_index() const { return snapshot_index + terms.size(); }
  uint64_t last_term() const { return terms.empty() ? snapshot_term : terms.back(); }
  // Whether the log holds (index, term); a compacted index counts as held.
  bool Holds(uint64_t index, uint64_t term) const {
    if (index <= snapshot_index) return true;
    return index <= last_index() && terms[index - snapshot_index - 1] == term;
  }
};

// One member as the check sees it.
struct MemberLog {
  raft::NodeId id = raft::kNone;
  // Running: its log is live and it counts as a vote. A member that is down
  // is only a candidate, with the log it will recover (when known).
  bool up = false;
  bool candidate = false;
  uint64_t last_index = 0;
  uint64_t last_term = 0;
  // Whether its log holds the committed entry being judged (a compacted
  // prefix counts as holding it).
  bool holds = false;
  // The voters it would count votes against, and whether it may campaign
  // (Raft::CanCampaign; a non-voter's own vote does not count).
  raft::JointConfig voters;
  bool promotable = false;
};

// The entry (index, term) that member `committer` considers committed.
// Returns a violation sentence if some member without it could be elected.
std::optional<std::string> CheckCommitSafety(raft::NodeId committer, uint64_t index,
                                             uint64_t term,
                                             const std::vector<MemberLog>& members);

}  // namespace raftlab::sim
