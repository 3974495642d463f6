#include "core/raft/quorum.h"

#include <algorithm>
#include <vector>

#include "core/base/check.h"

namespace raftlab::raft {

const char* VoteResultName(VoteResult result) {
  switch (result) {
    case VoteResult::kPending: return "VotePending";
    case VoteResult::kLost: return "VoteLost";
    case VoteResult::kWon: return "VoteWon";
  }
  return "VoteUnknown";
}

uint64_t MajorityConfig::CommittedIndex(const AckedIndexFn& acked) const {
  const size_t n = ids_.size();
  if (n == 0) return kEmptyConfigCommitted;
  // Small clusters are the common case: sort on the stack.
  uint64_t stack[16];
  std::vector<uint64_t> heap;
  uint64_t* indexes = stack;
  if (n > 16) {
    heap.resize(n);
    indexes = heap.data();
  }
  size_t i = 0;
  for (NodeId id : ids_) indexes[i++] = acked(id).value_or(0);
  std::sort(indexes, indexes + n);
  // With indexes ascending, the element at n - (n/2 + 1) is acknowledged by
  // n/2 + 1 voters (itself and every larger one): the highest such index.
  const size_t quorum = n / 2 + 1;
  CHECK_GE(n, quorum);
  return indexes[n - quorum];
}

VoteResult MajorityConfig::Vote(const std::map<NodeId, bool>& votes) const {
  // An empty config wins every vote, so a joint config with an empty half
  // behaves like its other half.
  if (ids_.empty()) return VoteResult::kWon;
  size_t yes = 0;
  size_t missing = 0;
  for (NodeId id : ids_) {
    auto it = votes.find(id);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++yes;
    }
  }
  const size_t quorum = ids_.size() / 2 + 1;
  if (yes >= quorum) return VoteResult::kWon;
  if (yes + missing >= quorum) return VoteResult::kPending;
  return VoteResult::kLost;
}

std::string MajorityConfig::String() const {
  std::string out = "(";
  bool first = true;
  for (NodeId id : ids_) {
    if (!first) out += " ";
    out += std::to_string(id);
    first = false;
  }
  return out + ")";
}

std::set<NodeId> JointConfig::Ids() const {
  std::set<NodeId> ids = incoming.ids();
  ids.insert(outgoing.ids().begin(), outgoing.ids().end());
  return ids;
}

uint64_t JointConfig::CommittedIndex(const AckedIndexFn& acked) const {
  const uint64_t in = incoming.CommittedIndex(acked);
  const uint64_t out = outgoing.CommittedIndex(acked);
  return std::min(in, out);
}

VoteResult JointConfig::Vote(const std::map<NodeId, bool>& votes) const {
  const VoteResult in = incoming.Vote(votes);
  const VoteResult out = outgoing.Vote(votes);
  if (in == out) return in;
  // One lost half loses the joint vote; otherwise one is still pending.
  if (in == VoteResult::kLost || out == VoteResult::kLost) return VoteResult::kLost;
  return VoteResult::kPending;
}

std::string JointConfig::String() const {
  if (outgoing.empty()) return incoming.String();
  return incoming.String() + "&&" + outgoing.String();
}

}  // namespace raftlab::raft
