#include "sim/commit_safety.h"

#include <algorithm>

#include <fmt/format.h>

namespace raftlab::sim {
namespace {

const MemberLog* Find(const std::vector<MemberLog>& members, raft::NodeId id) {
  for (const MemberLog& m : members) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

// Voter v would grant candidate c its vote on log grounds: c's log is at
// least as up-to-date as v's (Raft §5.4.1).
bool WouldGrant(const MemberLog& v, const MemberLog& c) {
  return c.last_term > v.last_term || (c.last_term == v.last_term && c.last_index >= v.last_index);
}

// The voters of `half` (in id order) that would grant c, or nullopt if they
// are no majority of it. An empty half decides nothing.
std::optional<std::vector<raft::NodeId>> Grants(const raft::MajorityConfig& half,
                                                const MemberLog& c,
                                                const std::vector<MemberLog>& members) {
  std::vector<raft::NodeId> yes;
  if (half.empty()) return yes;
  for (raft::NodeId id : half.ids()) {
    const MemberLog* v = Find(members, id);
    if (v == nullptr) continue;
    if (id == c.id || (v->up && WouldGrant(*v, c))) yes.push_back(id);
  }
  if (yes.size() < half.size() / 2 + 1) return std::nullopt;
  return yes;
}

}  // namespace

std::optional<std::string> CheckCommitSafety(raft::NodeId committer, uint64_t index,
                                             uint64_t term,
                                             const std::vector<MemberLog>& members) {
  for (const MemberLog& c : members) {
    if (!c.candidate || c.holds || !c.promotable) continue;
    const auto in = Grants(c.voters.incoming, c, members);
    if (!in) continue;
    const auto out = Grants(c.voters.outgoing, c, members);
    if (!out) continue;
    std::vector<raft::NodeId> voters = *in;
    for (raft::NodeId id : *out) {
      if (std::find(voters.begin(), voters.end(), id) == voters.end()) voters.push_back(id);
    }
    std::vector<std::string> names;
    for (raft::NodeId id : voters) names.push_back(fmt::format("n{}", id));
    return fmt::format("committed entry could be lost: node {} committed {}/{} but node {} "
                       "(last {}/{}) lacks it and could be elected by {}",
                       committer, term, index, c.id, c.last_term, c.last_index,
                       fmt::join(names, ","));
  }
  return std::nullopt;
}

}  // namespace raftlab::sim
