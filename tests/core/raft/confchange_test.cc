// Changer and RestoreConfig: single-step changes, joint consensus (Raft
// thesis §4.3, the paper's §6), learners and learners_next, and rebuilding a
// configuration from a ConfState.
#include "core/raft/confchange.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "core/base/check.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

ConfChangeSingle V(NodeId id) { return {ConfChangeType::kAddNode, id}; }
ConfChangeSingle L(NodeId id) { return {ConfChangeType::kAddLearnerNode, id}; }
ConfChangeSingle R(NodeId id) { return {ConfChangeType::kRemoveNode, id}; }
ConfChangeSingle U(NodeId id) { return {ConfChangeType::kUpdateNode, id}; }

// A tracker holding `cp`.
ProgressTracker Tracker(const ConfigAndProgress& cp) {
  ProgressTracker t(256, 0);
  t.config = cp.config;
  t.progress = cp.progress;
  return t;
}

// A tracker with voters `ids`, built by single changes from empty.
ProgressTracker WithVoters(const std::vector<NodeId>& ids) {
  ChangeResult r = RestoreConfig(ProgressTracker(256, 0), 10, Voters(ids));
  CHECK(r.has_value());
  return Tracker(*r);
}

std::set<NodeId> Keys(const ProgressMap& progress) {
  std::set<NodeId> out;
  for (const auto& [id, pr] : progress) out.insert(id);
  return out;
}

TEST(Changer, SimpleRejectsTwoVoterChanges) {
  const ProgressTracker trk = WithVoters({1});
  ChangeResult r = Changer(trk, 10).Simple({V(2), V(3)});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("more than one voter"), std::string::npos) << r.error();
  // Adding and removing a voter at once is also two voter changes.
  const ProgressTracker three = WithVoters({1, 2, 3});
  EXPECT_FALSE(Changer(three, 10).Simple({V(4), R(3)}).has_value());
  // One voter plus learners is fine.
  ChangeResult ok = Changer(trk, 10).Simple({V(2), L(3), L(4)});
  ASSERT_TRUE(ok.has_value()) << ok.error();
  EXPECT_EQ(ok->config.voters.incoming.ids(), (std::set<NodeId>{1, 2}));
  EXPECT_EQ(ok->config.learners, (std::set<NodeId>{3, 4}));
  EXPECT_EQ(Keys(ok->progress), (std::set<NodeId>{1, 2, 3, 4}));
  EXPECT_EQ(CheckConfigInvariants(*ok), "");
}

TEST(Changer, SimpleRejectsRemovingAllVoters) {
  const ProgressTracker trk = WithVoters({1});
  ChangeResult r = Changer(trk, 10).Simple({R(1)});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("removed all voters"), std::string::npos) << r.error();
}

TEST(Changer, SimplePromotesAndDemotes) {
  ProgressTracker trk = WithVoters({1, 2});
  ChangeResult r = Changer(trk, 10).Simple({L(3)});
  ASSERT_TRUE(r.has_value()) << r.error();
  trk = Tracker(*r);
  r = Changer(trk, 10).Simple({V(3)});  // learner to voter: one voter change
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->config.voters.incoming.ids(), (std::set<NodeId>{1, 2, 3}));
  EXPECT_TRUE(r->config.learners.empty());
  EXPECT_FALSE(r->progress.at(3).is_learner);
  trk = Tracker(*r);
  r = Changer(trk, 10).Simple({L(2)});  // voter to learner (not joint): direct
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->config.voters.incoming.ids(), (std::set<NodeId>{1, 3}));
  EXPECT_EQ(r->config.learners, (std::set<NodeId>{2}));
  EXPECT_TRUE(r->progress.at(2).is_learner);
  EXPECT_TRUE(r->config.learners_next.empty());
  // Update and node 0 change nothing.
  trk = Tracker(*r);
  r = Changer(trk, 10).Simple({U(1), V(0)});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->config, trk.config);
}

TEST(Changer, SimpleRefusedInJointConfig) {
  const ProgressTracker trk = WithVoters({1, 2, 3});
  ChangeResult joint = Changer(trk, 10).EnterJoint(false, {V(4)});
  ASSERT_TRUE(joint.has_value()) << joint.error();
  EXPECT_FALSE(Changer(Tracker(*joint), 10).Simple({V(5)}).has_value());
}

TEST(Changer, EnterJointAndLeaveJoint) {
  const ProgressTracker trk = WithVoters({1, 2, 3});
  ChangeResult joint = Changer(trk, 10).EnterJoint(true, {V(4), R(3)});
  ASSERT_TRUE(joint.has_value()) << joint.error();
  EXPECT_EQ(joint->config.voters.incoming.ids(), (std::set<NodeId>{1, 2, 4}));
  EXPECT_EQ(joint->config.voters.outgoing.ids(), (std::set<NodeId>{1, 2, 3}));
  EXPECT_TRUE(joint->config.auto_leave);
  // Node 3 still votes in the outgoing half: it keeps its progress.
  EXPECT_EQ(Keys(joint->progress), (std::set<NodeId>{1, 2, 3, 4}));
  EXPECT_EQ(joint->progress.at(4).next, 10u);  // new members probe from the last index
  EXPECT_EQ(CheckConfigInvariants(*joint), "");

  const ProgressTracker jt = Tracker(*joint);
  EXPECT_FALSE(Changer(jt, 10).EnterJoint(false, {V(5)}).has_value());  // already joint

  ChangeResult left = Changer(jt, 10).LeaveJoint();
  ASSERT_TRUE(left.has_value()) << left.error();
  EXPECT_EQ(left->config.voters.incoming.ids(), (std::set<NodeId>{1, 2, 4}));
  EXPECT_TRUE(left->config.voters.outgoing.empty());
  EXPECT_FALSE(left->config.auto_leave);
  EXPECT_EQ(Keys(left->progress), (std::set<NodeId>{1, 2, 4}));
  EXPECT_EQ(CheckConfigInvariants(*left), "");
  EXPECT_FALSE(Changer(Tracker(*left), 10).LeaveJoint().has_value());  // not joint
}

TEST(Changer, EnterJointRejectsRemovingAllVoters) {
  const ProgressTracker trk = WithVoters({1, 2});
  EXPECT_FALSE(Changer(trk, 10).EnterJoint(false, {R(1), R(2)}).has_value());
  EXPECT_FALSE(Changer(ProgressTracker(256, 0), 10).EnterJoint(false, {V(1)}).has_value());
}

TEST(Changer, LearnersNext) {
  // Demoting a voter in a joint change: it still votes in the outgoing half,
  // so it becomes a learner only when the joint config is left.
  const ProgressTracker trk = WithVoters({1, 2, 3});
  ChangeResult joint = Changer(trk, 10).EnterJoint(false, {L(3)});
  ASSERT_TRUE(joint.has_value()) << joint.error();
  EXPECT_EQ(joint->config.voters.incoming.ids(), (std::set<NodeId>{1, 2}));
  EXPECT_EQ(joint->config.voters.outgoing.ids(), (std::set<NodeId>{1, 2, 3}));
  EXPECT_TRUE(joint->config.learners.empty());
  EXPECT_EQ(joint->config.learners_next, (std::set<NodeId>{3}));
  EXPECT_FALSE(joint->progress.at(3).is_learner);
  EXPECT_EQ(CheckConfigInvariants(*joint), "");

  ChangeResult left = Changer(Tracker(*joint), 10).LeaveJoint();
  ASSERT_TRUE(left.has_value()) << left.error();
  EXPECT_EQ(left->config.voters.incoming.ids(), (std::set<NodeId>{1, 2}));
  EXPECT_EQ(left->config.learners, (std::set<NodeId>{3}));
  EXPECT_TRUE(left->config.learners_next.empty());
  EXPECT_TRUE(left->progress.at(3).is_learner);
  EXPECT_EQ(CheckConfigInvariants(*left), "");
}

TEST(Changer, ReAddingNextLearnerAsVoterClearsIt) {
  const ProgressTracker trk = WithVoters({1, 2, 3});
  ChangeResult joint = Changer(trk, 10).EnterJoint(false, {L(3), V(3)});
  ASSERT_TRUE(joint.has_value()) << joint.error();
  EXPECT_TRUE(joint->config.learners_next.empty());
  EXPECT_EQ(joint->config.voters.incoming.ids(), (std::set<NodeId>{1, 2, 3}));
}

TEST(Changer, RestoreConfigJoint) {
  ConfState cs;
  cs.voters = {1, 2, 4};
  cs.voters_outgoing = {1, 2, 3};
  cs.learners = {5};
  cs.learners_next = {3};
  cs.auto_leave = true;
  ChangeResult r = RestoreConfig(ProgressTracker(256, 0), 10, cs);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(Tracker(*r).GetConfState(), cs);
}

// A valid ConfState: every id gets one role, so the voter, learner and
// next-learner sets keep the invariants of a configuration.
ConfState ArbitraryConfState() {
  const std::vector<NodeId> ids =
      *rc::gen::unique<std::vector<NodeId>>(rc::gen::inRange<NodeId>(1, 30));
  // Roles: 0 incoming voter, 1 voter in both halves, 2 outgoing-only voter,
  // 3 learner, 4 outgoing-only voter that becomes a learner on leaving.
  ConfState cs;
  for (NodeId id : ids) {
    const int role = *rc::gen::inRange(0, 5);
    if (role == 0 || role == 1) cs.voters.push_back(id);
    if (role == 1 || role == 2 || role == 4) cs.voters_outgoing.push_back(id);
    if (role == 3) cs.learners.push_back(id);
    if (role == 4) cs.learners_next.push_back(id);
  }
  RC_PRE(!cs.voters.empty());
  for (auto* v : {&cs.voters, &cs.voters_outgoing, &cs.learners, &cs.learners_next}) {
    std::sort(v->begin(), v->end());
  }
  cs.auto_leave = !cs.voters_outgoing.empty() && *rc::gen::arbitrary<bool>();
  return cs;
}

// RestoreConfig(cs) followed by GetConfState() gives cs back, for any valid cs.
RC_GTEST_PROP(Changer, RestoreConfigRoundTrip, ()) {
  const ConfState cs = ArbitraryConfState();
  const uint64_t last_index = *rc::gen::inRange<uint64_t>(0, 1000);
  ChangeResult r = RestoreConfig(ProgressTracker(256, 0), last_index, cs);
  RC_ASSERT(r.has_value());
  RC_ASSERT(CheckConfigInvariants(*r) == "");
  RC_ASSERT(Tracker(*r).GetConfState() == cs);
  // Every member has a progress entry, and nobody else.
  std::set<NodeId> members(cs.voters.begin(), cs.voters.end());
  members.insert(cs.voters_outgoing.begin(), cs.voters_outgoing.end());
  members.insert(cs.learners.begin(), cs.learners.end());
  RC_ASSERT(Keys(r->progress) == members);
}

}  // namespace
}  // namespace raftlab::raft
