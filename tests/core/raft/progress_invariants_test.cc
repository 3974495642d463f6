// ProgressInvariants against a leader driven by hand: a reordered, older
// acknowledgement (BUGZOO B27) is reported only when the bug is planted, and
// a member removed and re-added (a fresh Progress at match 0) is not a
// regression.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/bugs.h"
#include "core/raft/progress_invariants.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

Message Ack(NodeId from, uint64_t index) {
  Message m = MakeMsg(from, 1, MessageType::kAppResp, 1);
  m.index = index;
  return m;
}

TEST(ProgressInvariants, ReorderedOlderAckIsAFindingOnlyWithTheBug) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, {1, 2, 3}, WithBug(Bug::kMatchRegress, planted));
    ProgressInvariants inv;
    ElectLeader(t);
    AckNoopEntry(t);
    t->Step(Propose(1, "a"));  // index 2
    t->Step(Propose(1, "b"));  // index 3
    EXPECT_TRUE(inv.Check(*t).empty());
    t->Step(Ack(2, 3));
    EXPECT_TRUE(inv.Check(*t).empty());
    t->Step(Ack(2, 2));  // the older one, reordered behind
    const std::vector<std::string> found = inv.Check(*t);
    if (!planted) {
      EXPECT_TRUE(found.empty());
      continue;
    }
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find("match moved back"), std::string::npos) << found[0];
    EXPECT_NE(found[0].find("from 3 to 2"), std::string::npos) << found[0];
  }
}

TEST(ProgressInvariants, ReaddedMemberStartsAfresh) {
  TestRaft t = NewTestRaft(1, {1, 2, 3});
  ProgressInvariants inv;
  ElectLeader(t);
  AckNoopEntry(t);
  t->Step(Propose(1, "a"));
  t->Step(Ack(2, 2));
  EXPECT_TRUE(inv.Check(*t).empty());
  ASSERT_EQ(RaftTestAccess::Tracker(*t).progress.at(2).match, 2u);
  ConfChangeV2 remove;
  remove.changes.push_back({ConfChangeType::kRemoveNode, 2});
  t->ApplyConfChange(remove);
  ConfChangeV2 add;
  add.changes.push_back({ConfChangeType::kAddNode, 2});
  t->ApplyConfChange(add);
  ASSERT_EQ(RaftTestAccess::Tracker(*t).progress.at(2).match, 0u);
  EXPECT_TRUE(inv.Check(*t).empty());
}

TEST(ProgressInvariants, FollowersAreNotWatched) {
  TestRaft t = NewTestRaft(1, {1, 2, 3});
  ProgressInvariants inv;
  EXPECT_TRUE(inv.Check(*t).empty());
}

}  // namespace
}  // namespace raftlab::raft
