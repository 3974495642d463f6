// Non-voters campaign (Raft thesis §4.2.2: "a server that is not part of its
// own latest configuration should still start new elections, as it might
// still be needed until the Cnew entry is committed ... It does not count
// its own vote in elections unless it is part of its latest configuration").
//
// Configurations take effect when applied, as in etcd, so a voter that has
// not learned that a removal or demotion committed still counts the old
// voter set. If the node it removed holds the longest log, only that node
// can be elected: Raft::NonVoterMayCampaign lets it, always through
// pre-vote, and as leader it hands leadership to a voter once its no-op
// commits. See docs/architecture.md, "Non-voters campaign".
#include <gtest/gtest.h>

#include <set>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

// Node 1 is a learner beside voters {2, 3}; every log is empty.
TestRaft NewLearner(const TestRaftOptions& options = {}) {
  ConfState cs;
  cs.voters = {2, 3};
  cs.learners = {1};
  TestRaft t = NewTestRaft(1, NewStorage(cs), options);
  RaftTestAccess::SetRandomizedElectionTimeout(*t, RaftTestAccess::ElectionTimeout(*t));
  return t;
}

void TickElectionTimeout(TestRaft& t) {
  for (int i = 0; i < RaftTestAccess::ElectionTimeout(*t); ++i) RaftTestAccess::TickElection(*t);
}

std::set<NodeId> Recipients(const std::vector<Message>& msgs, MessageType type) {
  std::set<NodeId> to;
  for (const Message& m : msgs) {
    if (m.type == type) to.insert(m.to);
  }
  return to;
}

Message Grant(NodeId from, MessageType type, uint64_t term) {
  Message m = MakeMsg(from, 1, type, term);
  m.reject = false;
  return m;
}

TEST(NonVoterCampaign, ALearnerAsksWithPreVoteEvenWithPreVoteOff) {
  TestRaft t = NewLearner();  // pre_vote defaults to false
  ASSERT_FALSE(t->Promotable());
  ASSERT_TRUE(t->NonVoterMayCampaign());
  TickElectionTimeout(t);
  EXPECT_EQ(t->state(), StateRole::kPreCandidate);
  EXPECT_EQ(t->term(), 0u);  // a pre-vote changes no term
  const std::vector<Message> msgs = ReadMessages(t);
  // Only the voters are asked; its own vote is never cast, so it never arrives.
  EXPECT_EQ(Recipients(msgs, MessageType::kPreVote), (std::set<NodeId>{2, 3}));
  EXPECT_EQ(msgs.size(), 2u);
  for (const Message& m : msgs) EXPECT_EQ(m.term, 1u);
}

TEST(NonVoterCampaign, ItNeedsAMajorityOfTheVotersWithoutItself) {
  TestRaft t = NewLearner();
  TickElectionTimeout(t);
  ReadMessages(t);
  t->Step(Grant(2, MessageType::kPreVoteResp, 1));
  // One of the two voters is no majority of {2, 3}: it would be with a vote
  // of its own.
  EXPECT_EQ(t->state(), StateRole::kPreCandidate);
  t->Step(Grant(3, MessageType::kPreVoteResp, 1));
  EXPECT_EQ(t->state(), StateRole::kCandidate);
  EXPECT_EQ(t->term(), 1u);
  EXPECT_EQ(Recipients(ReadMessages(t), MessageType::kVote), (std::set<NodeId>{2, 3}));
  t->Step(Grant(2, MessageType::kVoteResp, 1));
  EXPECT_EQ(t->state(), StateRole::kCandidate);
  t->Step(Grant(3, MessageType::kVoteResp, 1));
  EXPECT_EQ(t->state(), StateRole::kLeader);
}

TEST(NonVoterCampaign, ANonVoterLeaderHandsLeadershipToAVoterOnceItsNoOpCommits) {
  TestRaft t = NewLearner();
  TickElectionTimeout(t);
  ReadMessages(t);
  t->Step(Grant(2, MessageType::kPreVoteResp, 1));
  t->Step(Grant(3, MessageType::kPreVoteResp, 1));
  ReadMessages(t);
  t->Step(Grant(2, MessageType::kVoteResp, 1));
  t->Step(Grant(3, MessageType::kVoteResp, 1));
  ASSERT_EQ(t->state(), StateRole::kLeader);
  std::vector<Message> appends;
  for (Message& m : ReadMessages(t)) {
    if (m.type == MessageType::kApp) appends.push_back(m);
  }
  ASSERT_EQ(Recipients(appends, MessageType::kApp), (std::set<NodeId>{2, 3}));
  // Its own acknowledgement counts for nothing: one voter's is no quorum.
  t->Step(AcceptAndReply(appends[0]));
  EXPECT_EQ(t->raft_log().committed(), 0u);
  EXPECT_EQ(t->lead_transferee(), kNone);
  t->Step(AcceptAndReply(appends[1]));
  EXPECT_EQ(t->raft_log().committed(), 1u);
  // Both voters hold everything: the first becomes the transferee at once.
  EXPECT_EQ(t->lead_transferee(), 2u);
  EXPECT_EQ(Recipients(ReadMessages(t), MessageType::kTimeoutNow), (std::set<NodeId>{2}));
}

TEST(NonVoterCampaign, AStaleTimeoutNowMakesNoNonVoterCampaign) {
  TestRaft t = NewLearner();
  t->Step(MakeMsg(2, 1, MessageType::kTimeoutNow, 0));
  EXPECT_EQ(t->state(), StateRole::kFollower);
  EXPECT_TRUE(ReadMessages(t).empty());
}

TEST(NonVoterCampaign, ANodeWithoutAConfigurationWaits) {
  TestRaft t = NewTestRaft(1, NewStorage(ConfState{}));
  EXPECT_FALSE(t->NonVoterMayCampaign());
  RaftTestAccess::SetRandomizedElectionTimeout(*t, RaftTestAccess::ElectionTimeout(*t));
  TickElectionTimeout(t);
  EXPECT_EQ(t->state(), StateRole::kFollower);
  EXPECT_TRUE(ReadMessages(t).empty());
}

TEST(NonVoterCampaign, VotersThatHearALeaderIgnoreIt) {
  // Check-quorum's lease protects a healthy cluster from a learner cut off
  // from its leader: a voter that heard the leader recently ignores the
  // pre-vote, so the learner changes nobody's term or leader.
  TestRaftOptions options;
  options.check_quorum = true;
  TestRaft voter = NewTestRaft(2, {2, 3}, options);
  voter->Step(MakeMsg(3, 2, MessageType::kHeartbeat, 1));
  ASSERT_EQ(voter->lead(), 3u);
  Message pre_vote = MakeMsg(1, 2, MessageType::kPreVote, 2);
  voter->Step(pre_vote);
  EXPECT_TRUE(Recipients(ReadMessages(voter), MessageType::kPreVoteResp).empty());
  EXPECT_EQ(voter->term(), 1u);
  EXPECT_EQ(voter->lead(), 3u);
}

}  // namespace
}  // namespace raftlab::raft
