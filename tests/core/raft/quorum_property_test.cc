// Quorum math against a dumb reference (etcd-io/raft quorum/quick_test.go):
// the optimised MajorityConfig / JointConfig answers must equal what the
// definitions give when evaluated by brute force.
//
//   committed index: the largest index i such that more than half of the
//     voters acknowledged an index >= i (an empty config commits anything);
//   vote: won if more than half voted yes; lost if even with every missing
//     vote a yes there could be no majority; pending otherwise;
//   joint: an index is committed iff both halves commit it; a vote is won iff
//     both halves win it and lost iff either half loses it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "core/raft/quorum.h"

namespace raftlab::raft {
namespace {

// Ids are drawn from 1..9 so that the halves of a joint config overlap.
constexpr NodeId kMaxId = 9;

std::set<NodeId> ArbitraryIds() {
  std::set<NodeId> ids;
  for (NodeId id = 1; id <= kMaxId; ++id) {
    if (*rc::gen::arbitrary<bool>()) ids.insert(id);
  }
  return ids;
}

// Acked indexes for some of the ids (absent ones are unknown), in a small
// range so that ties are common.
std::map<NodeId, uint64_t> ArbitraryAcks() {
  std::map<NodeId, uint64_t> acks;
  for (NodeId id = 1; id <= kMaxId; ++id) {
    if (*rc::gen::arbitrary<bool>()) acks[id] = *rc::gen::inRange<uint64_t>(0, 12);
  }
  return acks;
}

// Each id: no vote yet, yes, or no.
std::map<NodeId, bool> ArbitraryVotes() {
  std::map<NodeId, bool> votes;
  for (NodeId id = 1; id <= kMaxId; ++id) {
    const int v = *rc::gen::inRange(0, 3);
    if (v != 0) votes[id] = v == 1;
  }
  return votes;
}

AckedIndexFn Lookup(const std::map<NodeId, uint64_t>& acks) {
  return [&acks](NodeId id) -> std::optional<uint64_t> {
    auto it = acks.find(id);
    if (it == acks.end()) return std::nullopt;
    return it->second;
  };
}

uint64_t AckOf(const std::map<NodeId, uint64_t>& acks, NodeId id) {
  auto it = acks.find(id);
  return it == acks.end() ? 0 : it->second;
}

// True if more than half of `ids` acknowledged at least `index`.
bool NaiveCommits(const std::set<NodeId>& ids, const std::map<NodeId, uint64_t>& acks,
                  uint64_t index) {
  if (ids.empty()) return true;
  size_t have = 0;
  for (NodeId id : ids) {
    if (AckOf(acks, id) >= index) ++have;
  }
  return 2 * have > ids.size();
}

// The candidates for a committed index: 0 and every acknowledged index.
std::set<uint64_t> Candidates(const std::map<NodeId, uint64_t>& acks) {
  std::set<uint64_t> out = {0};
  for (const auto& [id, index] : acks) out.insert(index);
  return out;
}

uint64_t NaiveCommitted(const std::set<NodeId>& ids, const std::map<NodeId, uint64_t>& acks) {
  if (ids.empty()) return kEmptyConfigCommitted;
  uint64_t best = 0;
  for (uint64_t i : Candidates(acks)) {
    if (NaiveCommits(ids, acks, i)) best = std::max(best, i);
  }
  return best;
}

uint64_t NaiveJointCommitted(const std::set<NodeId>& in, const std::set<NodeId>& out,
                             const std::map<NodeId, uint64_t>& acks) {
  if (in.empty() && out.empty()) return kEmptyConfigCommitted;
  uint64_t best = 0;
  for (uint64_t i : Candidates(acks)) {
    if (NaiveCommits(in, acks, i) && NaiveCommits(out, acks, i)) best = std::max(best, i);
  }
  return best;
}

VoteResult NaiveVote(const std::set<NodeId>& ids, const std::map<NodeId, bool>& votes) {
  if (ids.empty()) return VoteResult::kWon;
  size_t yes = 0;
  size_t missing = 0;
  for (NodeId id : ids) {
    auto it = votes.find(id);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++yes;
    }
  }
  if (2 * yes > ids.size()) return VoteResult::kWon;
  if (2 * (yes + missing) <= ids.size()) return VoteResult::kLost;
  return VoteResult::kPending;
}

// Joint vote from first principles: enumerate how the missing votes could
// still go. Won: both halves have a majority now. Lost: no completion of the
// missing votes gives both halves a majority. Pending: otherwise.
VoteResult NaiveJointVote(const std::set<NodeId>& in, const std::set<NodeId>& out,
                          const std::map<NodeId, bool>& votes) {
  const auto majority_yes = [](const std::set<NodeId>& ids, const std::map<NodeId, bool>& v) {
    if (ids.empty()) return true;
    size_t yes = 0;
    for (NodeId id : ids) {
      auto it = v.find(id);
      if (it != v.end() && it->second) ++yes;
    }
    return 2 * yes > ids.size();
  };
  if (majority_yes(in, votes) && majority_yes(out, votes)) return VoteResult::kWon;
  // The best completion: every missing voter says yes.
  std::map<NodeId, bool> best = votes;
  for (const std::set<NodeId>* ids : {&in, &out}) {
    for (NodeId id : *ids) best.emplace(id, true);
  }
  if (majority_yes(in, best) && majority_yes(out, best)) return VoteResult::kPending;
  return VoteResult::kLost;
}

RC_GTEST_PROP(Quorum, MajorityCommittedIndexMatchesReference, ()) {
  const std::set<NodeId> ids = ArbitraryIds();
  const std::map<NodeId, uint64_t> acks = ArbitraryAcks();
  const MajorityConfig config(ids);
  RC_ASSERT(config.CommittedIndex(Lookup(acks)) == NaiveCommitted(ids, acks));
}

RC_GTEST_PROP(Quorum, MajorityVoteMatchesReference, ()) {
  const std::set<NodeId> ids = ArbitraryIds();
  const std::map<NodeId, bool> votes = ArbitraryVotes();
  RC_ASSERT(MajorityConfig(ids).Vote(votes) == NaiveVote(ids, votes));
}

RC_GTEST_PROP(Quorum, JointCommittedIndexMatchesReference, ()) {
  const std::set<NodeId> in = ArbitraryIds();
  const std::set<NodeId> out = ArbitraryIds();
  const std::map<NodeId, uint64_t> acks = ArbitraryAcks();
  const JointConfig config{MajorityConfig(in), MajorityConfig(out)};
  RC_ASSERT(config.CommittedIndex(Lookup(acks)) == NaiveJointCommitted(in, out, acks));
  // A joint config with an empty outgoing half is the incoming half alone.
  const JointConfig simple{MajorityConfig(in), MajorityConfig()};
  RC_ASSERT(simple.CommittedIndex(Lookup(acks)) == MajorityConfig(in).CommittedIndex(Lookup(acks)));
}

RC_GTEST_PROP(Quorum, JointVoteMatchesReference, ()) {
  const std::set<NodeId> in = ArbitraryIds();
  const std::set<NodeId> out = ArbitraryIds();
  const std::map<NodeId, bool> votes = ArbitraryVotes();
  const JointConfig config{MajorityConfig(in), MajorityConfig(out)};
  RC_ASSERT(config.Vote(votes) == NaiveJointVote(in, out, votes));
}

// Votes only ever move a pending election forward: adding a vote never
// turns a won or lost election back to pending.
RC_GTEST_PROP(Quorum, VoteOutcomeIsStable, ()) {
  const std::set<NodeId> in = ArbitraryIds();
  const std::set<NodeId> out = ArbitraryIds();
  std::map<NodeId, bool> votes = ArbitraryVotes();
  const JointConfig config{MajorityConfig(in), MajorityConfig(out)};
  const VoteResult before = config.Vote(votes);
  const NodeId id = *rc::gen::inRange<NodeId>(1, kMaxId + 1);
  votes.emplace(id, *rc::gen::arbitrary<bool>());
  const VoteResult after = config.Vote(votes);
  if (before != VoteResult::kPending) RC_ASSERT(after == before);
}

// Some fixed points, for the reader.
TEST(Quorum, Examples) {
  const std::map<NodeId, uint64_t> acks = {{1, 5}, {2, 3}, {3, 9}};
  EXPECT_EQ(MajorityConfig({1, 2, 3}).CommittedIndex(Lookup(acks)), 5u);
  EXPECT_EQ(MajorityConfig({1, 2, 3, 4}).CommittedIndex(Lookup(acks)), 3u);
  EXPECT_EQ(MajorityConfig({4, 5}).CommittedIndex(Lookup(acks)), 0u);
  EXPECT_EQ(MajorityConfig().CommittedIndex(Lookup(acks)), kEmptyConfigCommitted);
  const JointConfig joint{MajorityConfig({1, 2, 3}), MajorityConfig({2, 4, 5})};
  EXPECT_EQ(joint.CommittedIndex(Lookup(acks)), 0u);
  EXPECT_EQ(MajorityConfig({1, 2, 3}).Vote({{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(MajorityConfig({1, 2, 3}).Vote({{1, true}, {2, false}}), VoteResult::kPending);
  EXPECT_EQ(MajorityConfig({1, 2, 3}).Vote({{1, false}, {2, false}}), VoteResult::kLost);
  EXPECT_EQ(MajorityConfig({1, 2, 3, 4}).Vote({{1, true}, {2, true}, {3, false}, {4, false}}),
            VoteResult::kLost);
}

}  // namespace
}  // namespace raftlab::raft
