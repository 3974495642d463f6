// Lease-based reads (ReadOnlyOption::kLeaseBased): how long a lease lasts,
// what ends it, and the followers' side of the bargain. The expected lease
// lengths come from the formula in docs (scenarios/README.md,
// max_clock_drift_ppm): (election_tick - 1) x (10^6 - d) / (10^6 + d) ticks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

TestRaftOptions LeaseOptions(uint32_t drift_ppm) {
  TestRaftOptions options;
  options.read_only_option = ReadOnlyOption::kLeaseBased;
  options.check_quorum = true;
  options.max_clock_drift_ppm = drift_ppm;
  return options;
}

// After a confirmed heartbeat round, counts the ticks for which a read is
// still answered at once (without a heartbeat round).
int LeaseLengthInTicks(const TestRaftOptions& options) {
  TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
  ElectLeader(t);
  AckNoopEntry(t);
  ConfirmedHeartbeatRound(t, options);
  // The round started one tick ago (the tick that sent its heartbeats).
  for (int elapsed = 1; elapsed < 100; ++elapsed) {
    t->Step(ReadIndex(1, "r" + std::to_string(elapsed)));
    const bool at_once = ReadIndexes(t).size() == 1;
    ReadMessages(t);  // the heartbeats of a fallback round, never answered
    if (!at_once) return elapsed - 1;
    t->Tick();
  }
  return 100;
}

TEST(LeaseRead, TheLeaseIsShortenedByTheClockDriftBound) {
  // 9 x 0.9 / 1.1 = 7.36; 9 x 0.5 / 1.5 = 3; 9 x 1 / 1 = 9.
  EXPECT_EQ(LeaseLengthInTicks(LeaseOptions(100'000)), 7);
  EXPECT_EQ(LeaseLengthInTicks(LeaseOptions(500'000)), 3);
  EXPECT_EQ(LeaseLengthInTicks(LeaseOptions(0)), 9);
}

TEST(LeaseRead, NoLeaseBeforeAQuorumAcknowledgedAHeartbeatRound) {
  const TestRaftOptions options = LeaseOptions(100'000);
  TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
  ElectLeader(t);
  AckNoopEntry(t);  // appends acknowledged, but no heartbeat round yet
  t->Step(ReadIndex(1, "first"));
  EXPECT_TRUE(ReadIndexes(t).empty());
  const std::vector<Message> beats = OfType(ReadMessages(t), MessageType::kHeartbeat);
  ASSERT_EQ(beats.size(), 2u);
  // One acknowledgement makes a quorum of 3 with the leader: the read and
  // the lease follow.
  AnswerHeartbeats(t, {beats[0]});
  EXPECT_EQ(ReadIndexes(t), std::vector<uint64_t>{1});
  t->Step(ReadIndex(1, "second"));
  EXPECT_EQ(ReadIndexes(t), std::vector<uint64_t>{1});
}

TEST(LeaseRead, AStartedTransferVoidsTheLeaseForTheRestOfTheTerm) {
  const TestRaftOptions options = LeaseOptions(100'000);
  TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
  ElectLeader(t);
  AckNoopEntry(t);
  t->Step(MakeMsg(2, 1, MessageType::kTransferLeader));
  ReadMessages(t);
  // The transfer is abandoned after an election timeout; the MsgTimeoutNow
  // may still be on its way, so even fresh rounds give no lease.
  for (int i = 0; i < options.election_tick; ++i) {
    t->Tick();
    AnswerHeartbeats(t, ReadMessages(t));
  }
  ASSERT_EQ(t->lead_transferee(), kNone);
  ASSERT_EQ(t->state(), StateRole::kLeader);
  ConfirmedHeartbeatRound(t, options);
  t->Step(ReadIndex(1, "after"));
  EXPECT_TRUE(ReadIndexes(t).empty());
}

// The followers' half: a node that just started cannot know when it last
// heard a leader, so under leases it votes only after an election timeout.
TEST(LeaseRead, AJustStartedNodeWaitsAnElectionTimeoutBeforeVoting) {
  for (ReadOnlyOption mode : {ReadOnlyOption::kSafe, ReadOnlyOption::kLeaseBased}) {
    SCOPED_TRACE(mode == ReadOnlyOption::kSafe ? "safe" : "lease-based");
    TestRaftOptions options = LeaseOptions(100'000);
    options.read_only_option = mode;
    TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
    RaftTestAccess::SetRandomizedElectionTimeout(*t, 2 * options.election_tick - 1);
    auto vote_from_2 = [&](uint64_t term) {
      Message m = MakeMsg(2, 1, MessageType::kVote, term);
      t->Step(m);
      return OfType(ReadMessages(t), MessageType::kVoteResp).size();
    };
    for (int i = 0; i < options.election_tick - 1; ++i) t->Tick();
    EXPECT_EQ(vote_from_2(5), mode == ReadOnlyOption::kSafe ? 1u : 0u);
    t->Tick();  // an election timeout of ticks since the start
    EXPECT_EQ(vote_from_2(6), 1u);
  }
}

}  // namespace
}  // namespace raftlab::raft
