// The commit-safety check (sim/commit_safety.h): a committed entry that a
// log able to win an election lacks is flagged at the moment of the commit
// (Figure 8 of the Raft paper); a correct commit, down voters, members that
// may not campaign and joint configurations are judged as Raft would.
#include <gtest/gtest.h>

#include "sim/commit_safety.h"

namespace raftlab::sim {
namespace {

// Five members, all voters in {1..5}, with (last term, last index) logs.
std::vector<MemberLog> Members(const std::vector<std::pair<uint64_t, uint64_t>>& tips,
                               const std::vector<bool>& holds) {
  raft::JointConfig voters;
  for (raft::NodeId id = 1; id <= tips.size(); ++id) voters.incoming.mutable_ids().insert(id);
  std::vector<MemberLog> out;
  for (size_t i = 0; i < tips.size(); ++i) {
    MemberLog m;
    m.id = static_cast<raft::NodeId>(i + 1);
    m.up = true;
    m.candidate = true;
    m.last_term = tips[i].first;
    m.last_index = tips[i].second;
    m.holds = holds[i];
    m.voters = voters;
    m.promotable = true;
    out.push_back(m);
  }
  return out;
}

TEST(CommitSafety, FlagsFigureEightAtTheMomentOfTheCommit) {
  // Figure 8 (c): n1, leader in term 4, has replicated e = 2/2 to n2 and n3
  // but its own 4/3 only to itself, and commits e by counting replicas. n5
  // holds 3/2 and n2, n3, n4 would vote for it: e could be overwritten.
  const auto m = Members({{4, 3}, {2, 2}, {2, 2}, {1, 1}, {3, 2}},
                         {true, true, true, false, false});
  const auto v = CheckCommitSafety(1, 2, 2, m);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "committed entry could be lost: node 1 committed 2/2 but node 5 (last 3/2) "
                "lacks it and could be elected by n2,n3,n4,n5");
}

TEST(CommitSafety, AcceptsTheCorrectCommitThroughACurrentTermEntry) {
  // The correct rule: e commits only once 4/3 is on a majority (n1, n2, n3);
  // n5 then wins no majority.
  const auto m = Members({{4, 3}, {4, 3}, {4, 3}, {1, 1}, {3, 2}},
                         {true, true, true, false, false});
  EXPECT_EQ(CheckCommitSafety(1, 2, 2, m), std::nullopt);
}

TEST(CommitSafety, DownMembersNeverCountAsVotesAndUnpromotableNeverRuns) {
  auto m = Members({{4, 3}, {2, 2}, {2, 2}, {1, 1}, {3, 2}}, {true, true, true, false, false});
  m[1].up = false;  // n5 would get n3, n4 and itself: still a majority
  EXPECT_TRUE(CheckCommitSafety(1, 2, 2, m).has_value());
  m[2].up = false;  // n4 and itself only
  EXPECT_EQ(CheckCommitSafety(1, 2, 2, m), std::nullopt);
  auto p = Members({{4, 3}, {2, 2}, {2, 2}, {1, 1}, {3, 2}}, {true, true, true, false, false});
  p[3].promotable = false;
  p[4].promotable = false;  // e.g. conf changes left to apply
  EXPECT_EQ(CheckCommitSafety(1, 2, 2, p), std::nullopt);
}

TEST(CommitSafety, AJointConfigNeedsAMajorityInBothHalves) {
  auto m = Members({{4, 3}, {2, 2}, {2, 2}, {1, 1}, {3, 2}}, {true, true, true, false, false});
  for (MemberLog& x : m) {
    x.voters.outgoing = raft::MajorityConfig({1, 2, 3});  // n5 gets only n2, n3 here...
  }
  EXPECT_TRUE(CheckCommitSafety(1, 2, 2, m).has_value());
  for (MemberLog& x : m) x.voters.outgoing = raft::MajorityConfig({1, 4});  // ...but not here
  EXPECT_EQ(CheckCommitSafety(1, 2, 2, m), std::nullopt);
}

TEST(DurableLog, HoldsByIndexAndTermAndACompactedIndexCountsAsHeld) {
  DurableLog d;
  d.snapshot_index = 10;
  d.snapshot_term = 2;
  d.terms = {2, 3, 3};  // indexes 11, 12, 13
  EXPECT_EQ(d.last_index(), 13u);
  EXPECT_EQ(d.last_term(), 3u);
  EXPECT_TRUE(d.Holds(7, 1));   // compacted into the snapshot
  EXPECT_TRUE(d.Holds(12, 3));
  EXPECT_FALSE(d.Holds(12, 2));
  EXPECT_FALSE(d.Holds(14, 3));  // beyond the log
  d.terms.clear();
  EXPECT_EQ(d.last_index(), 10u);
  EXPECT_EQ(d.last_term(), 2u);
}

}  // namespace
}  // namespace raftlab::sim
