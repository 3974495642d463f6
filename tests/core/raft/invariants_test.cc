// Invariants: the cluster-wide safety checker. It must flag real violations
// and stay quiet on legal states, such as a deposed leader that has not yet
// heard of the newer term.
#include "core/raft/invariants.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

NodeView View(NodeId id, uint64_t term, StateRole role, uint64_t commit,
              const std::vector<uint64_t>& terms) {
  NodeView v;
  v.id = id;
  v.term = term;
  v.role = role;
  v.commit = commit;
  v.applied = commit;
  v.log = EntriesWithTerms(terms);
  v.durable = HardState{term, kNone, commit};
  return v;
}

TEST(Invariants, ElectionSafety) {
  Invariants inv;
  EXPECT_TRUE(
      inv.Check({View(1, 2, StateRole::kLeader, 0, {1}), View(2, 2, StateRole::kFollower, 0, {1})})
          .empty());
  EXPECT_FALSE(
      inv.Check({View(1, 2, StateRole::kFollower, 0, {1}), View(2, 2, StateRole::kLeader, 0, {1})})
          .empty());  // a second leader of term 2, ever
}

TEST(Invariants, CommittedEntryChanged) {
  Invariants inv;
  EXPECT_TRUE(inv.Check({View(1, 2, StateRole::kFollower, 2, {1, 2})}).empty());
  EXPECT_FALSE(inv.Check({View(1, 3, StateRole::kFollower, 2, {1, 3})}).empty());
}

TEST(Invariants, LogMatching) {
  Invariants inv;
  NodeView a = View(1, 3, StateRole::kFollower, 0, {1, 2, 3});
  NodeView b = View(2, 3, StateRole::kFollower, 0, {1, 2, 3});
  b.log[0].data = "different";  // same term at 3, different entry at 1
  EXPECT_FALSE(inv.Check({a, b}).empty());
}

TEST(Invariants, TermAndCommitMonotonic) {
  Invariants inv;
  EXPECT_TRUE(inv.Check({View(1, 3, StateRole::kFollower, 2, {1, 2})}).empty());
  EXPECT_FALSE(inv.Check({View(1, 2, StateRole::kFollower, 2, {1, 2})}).empty());
  Invariants inv2;
  EXPECT_TRUE(inv2.Check({View(1, 3, StateRole::kFollower, 2, {1, 2})}).empty());
  EXPECT_FALSE(inv2.Check({View(1, 3, StateRole::kFollower, 1, {1, 2})}).empty());
}

TEST(Invariants, LeaderCompletenessViolation) {
  Invariants inv;
  // Entry 2 (term 2) committed; a term-3 leader without it is a violation.
  EXPECT_TRUE(inv.Check({View(1, 2, StateRole::kFollower, 2, {1, 2})}).empty());
  EXPECT_FALSE(inv.Check({View(1, 3, StateRole::kFollower, 2, {1, 2}),
                          View(2, 3, StateRole::kLeader, 1, {1})})
                   .empty());
}

// §5.4: "If a log entry is committed in a given term, then that entry will
// be present in the logs of the leaders for all higher-numbered terms." A
// leader of an older term, cut off and not yet deposed, need not have it.
TEST(Invariants, StaleLeaderNeedNotHaveLaterCommittedEntries) {
  Invariants inv;
  const std::vector<std::string> found =
      inv.Check({View(1, 2, StateRole::kLeader, 1, {1, 2}),     // term-2 leader, cut off
                 View(2, 3, StateRole::kLeader, 3, {1, 2, 3}),  // term-3 leader
                 View(3, 3, StateRole::kFollower, 3, {1, 2, 3})});
  EXPECT_TRUE(found.empty()) << found.front();
  // An entry of an earlier term (2, term 1) that the term-3 leader committed
  // along with its own; the term-2 leader was elected without it.
  Invariants inv2;
  const std::vector<std::string> found2 = inv2.Check(
      {View(1, 2, StateRole::kLeader, 1, {1, 2}), View(2, 3, StateRole::kLeader, 3, {1, 1, 3}),
       View(3, 3, StateRole::kFollower, 3, {1, 1, 3})});
  EXPECT_TRUE(found2.empty()) << found2.front();
}

TEST(Invariants, StateMachineSafety) {
  Invariants inv;
  const std::vector<Entry> log = EntriesWithTerms({1, 2});
  EXPECT_TRUE(inv.RecordApplied(1, log[1]).empty());
  EXPECT_TRUE(inv.RecordApplied(2, log[1]).empty());  // the same entry elsewhere
  Entry other = log[1];
  other.data = "another command";
  const std::vector<std::string> found = inv.RecordApplied(3, other);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("state machine safety"), std::string::npos) << found[0];
}

TEST(Invariants, DurableTermAndVoteSurviveRestarts) {
  Invariants inv;
  NodeView v = View(1, 3, StateRole::kFollower, 1, {1});
  v.durable = HardState{3, 2, 1};
  EXPECT_TRUE(inv.Check({v}).empty());
  // Restarted (volatile state may start over) with its durable term lost.
  NodeView lost = v;
  lost.incarnation = 1;
  lost.term = 2;
  lost.durable = HardState{2, 2, 1};
  EXPECT_FALSE(inv.Check({lost}).empty());
  // Restarted with the same term but a different durable vote: two votes in
  // one term.
  Invariants inv2;
  EXPECT_TRUE(inv2.Check({v}).empty());
  NodeView revoted = v;
  revoted.incarnation = 1;
  revoted.durable = HardState{3, 3, 1};
  EXPECT_FALSE(inv2.Check({revoted}).empty());
}

TEST(Invariants, AppliedNeverGoesBackWithinAnIncarnation) {
  Invariants inv;
  NodeView v = View(1, 2, StateRole::kFollower, 2, {1, 2});
  EXPECT_TRUE(inv.Check({v}).empty());
  v.applied = 1;
  EXPECT_FALSE(inv.Check({v}).empty());
}

}  // namespace
}  // namespace raftlab::raft
