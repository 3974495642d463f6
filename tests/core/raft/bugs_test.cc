// The bug zoo's Raft-layer mutations (core/base/bugs.h, BUGZOO.md), one test
// each. Every test runs the same deterministic script twice, with the bug
// off and planted, and checks both outcomes against what the Raft paper,
// the etcd behaviour the bug report describes, or the script's own inputs
// say must happen, never against values the code under test computed. So
// each test fails if the mutation stops doing what it claims, and also if
// the correct code drifts toward it.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/base/bugs.h"
#include "core/raft/codec.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

Message VoteRequest(MessageType type, NodeId from, NodeId to, uint64_t term) {
  Message m = MakeMsg(from, to, type, term);
  m.index = 0;  // an empty log: up to date against any empty log
  m.log_term = 0;
  return m;
}

// B01: §5.4.2, the leader of term 3 learns that index 2 (term 2) is on both
// of two voters. Only an entry of the current term commits by counting.
TEST(RaftBugZoo, B01_CommitPrevTermCommitsOldEntryByCount) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(
        1, NewStorage(Voters({1, 2}), {MakeEntry(1, 1), MakeEntry(2, 2)}, HardState{2, kNone, 0}),
        WithBug(Bug::kCommitPrevTerm, planted));
    ElectLeader(t);  // term 3, its empty entry at 3
    ReadMessages(t);
    t->Step(Propose(1, "x"));
    Message ack = MakeMsg(2, 1, MessageType::kAppResp, 3);
    ack.index = 2;
    t->Step(ack);
    PersistAndAck(t);
    EXPECT_EQ(t->raft_log().committed(), planted ? 2u : 0u);
  }
}

// B02: the follower holds a stale term-1 tail at 2..3; the term-2 leader's
// empty append proves only index 1, while saying commit=3 (its own entries).
TEST(RaftBugZoo, B02_FollowerCommitUnverifiedCommitsStaleTail) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(
        1,
        NewStorage(Voters({1, 2, 3}), {MakeEntry(1, 1), MakeEntry(1, 2), MakeEntry(1, 3)},
                   HardState{1, kNone, 1}),
        WithBug(Bug::kFollowerCommitUnverified, planted));
    Message app = MakeMsg(2, 1, MessageType::kApp, 2);
    app.index = 1;
    app.log_term = 1;
    app.commit = 3;
    t->Step(app);
    const std::vector<Message> resp = OfType(ReadMessages(t), MessageType::kAppResp);
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_FALSE(resp[0].reject);
    EXPECT_EQ(resp[0].index, 1u);
    EXPECT_EQ(t->raft_log().committed(), planted ? 3u : 1u);
  }
}

// B03: a new leader inherits an unapplied entry (index 1). Until it is
// applied, a conf change proposal must be refused (turned into a no-op).
TEST(RaftBugZoo, B03_ConfChangeNoGuardAcceptsChangeBeforeInheritedApplied) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t =
        NewTestRaft(1, NewStorage(Voters({1, 2, 3}), {MakeEntry(1, 1)}, HardState{1, kNone, 0}),
                    WithBug(Bug::kConfChangeNoGuard, planted));
    ElectLeader(t);  // term 2, its empty entry at 2
    ConfChangeV2 cc;
    cc.changes.push_back(ConfChangeSingle{ConfChangeType::kAddNode, 4});
    Message prop = MakeMsg(1, 1, MessageType::kProp);
    prop.entries.push_back(Entry{0, 0, EntryType::kConfChangeV2, EncodeConfChangeV2(cc)});
    ASSERT_EQ(t->Step(prop), StepResult::kOk);
    const std::vector<Entry> log = t->raft_log().AllEntries();
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[2].type, planted ? EntryType::kConfChangeV2 : EntryType::kNormal);
  }
}

// B04: a committed but unapplied conf change (adding voter 4) at index 1.
// The node must not campaign before applying it.
TEST(RaftBugZoo, B04_CampaignUnappliedConfCampaignsWithStaleConfig) {
  ConfChangeV2 cc;
  cc.changes.push_back(ConfChangeSingle{ConfChangeType::kAddNode, 4});
  const Entry conf{1, 1, EntryType::kConfChangeV2, EncodeConfChangeV2(cc)};
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, NewStorage(Voters({1, 2, 3}), {conf}, HardState{1, kNone, 1}),
                             WithBug(Bug::kCampaignUnappliedConf, planted));
    t->Step(MakeMsg(1, 1, MessageType::kHup));
    EXPECT_EQ(t->state(), planted ? StateRole::kCandidate : StateRole::kFollower);
    EXPECT_EQ(t->term(), planted ? 2u : 1u);
  }
}

// B05: learners vote (etcd-io/etcd#10998, campaign_learner_must_vote.txt):
// node 1 is a learner of voters {2,3}; node 2 asks for its vote.
TEST(RaftBugZoo, B05_LearnerRefusesVote) {
  ConfState cs = Voters({2, 3});
  cs.learners = {1};
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, NewStorage(cs), WithBug(Bug::kLearnerRefusesVote, planted));
    ASSERT_TRUE(t->is_learner());
    t->Step(VoteRequest(MessageType::kVote, 2, 1, 1));
    const std::vector<Message> resp = OfType(ReadMessages(t), MessageType::kVoteResp);
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_EQ(resp[0].to, 2u);
    EXPECT_EQ(resp[0].reject, planted);
  }
}

// B06: the term-2 leader's commit index (1) may lag the cluster's: index 2
// could already be committed and acknowledged by the term-1 leader. A read
// must wait for the leader's own entry (index 3) to commit, then read at 3.
TEST(RaftBugZoo, B06_ReadIndexBeforeCommitReadsStaleIndex) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(
        1,
        NewStorage(Voters({1, 2, 3}), {MakeEntry(1, 1), MakeEntry(1, 2)}, HardState{1, kNone, 1}),
        WithBug(Bug::kReadIndexBeforeCommit, planted));
    ElectLeader(t);  // term 2, its empty entry at 3
    const std::vector<Message> apps = OfType(ReadMessages(t), MessageType::kApp);
    t->Step(ReadIndex(1, "r"));
    AnswerHeartbeats(t, ReadMessages(t));
    std::vector<uint64_t> reads = ReadIndexes(t);
    // Now the empty entry commits (with node 2's ack) and any postponed read
    // goes through a heartbeat round.
    for (const Message& m : apps) {
      if (m.to == 2) t->Step(AcceptAndReply(m));
    }
    ASSERT_EQ(t->raft_log().committed(), 3u);
    AnswerHeartbeats(t, ReadMessages(t));
    for (uint64_t i : ReadIndexes(t)) reads.push_back(i);
    EXPECT_EQ(reads, std::vector<uint64_t>{planted ? 1u : 3u});
  }
}

// B07: no follower answers (the leader may have been deposed behind a
// partition): a safe leader cannot confirm leadership, so it returns nothing.
TEST(RaftBugZoo, B07_LeaderLocalReadAnswersWithoutQuorum) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, {1, 2, 3}, WithBug(Bug::kLeaderLocalRead, planted));
    ElectLeader(t);
    AckNoopEntry(t);
    ASSERT_EQ(t->raft_log().committed(), 1u);
    t->Step(ReadIndex(1, "r"));
    const std::vector<Message> beats = OfType(ReadMessages(t), MessageType::kHeartbeat);
    EXPECT_EQ(ReadIndexes(t), planted ? std::vector<uint64_t>{1} : std::vector<uint64_t>{});
    // The safe path asks the voters instead.
    EXPECT_EQ(beats.size(), planted ? 0u : 2u);
  }
}

// B09 (a): a lease is only as good as check-quorum, which makes a leader cut
// off from its quorum step down.
TEST(RaftBugZoo, B09_LeaseReadNoCheckQuorumPassesValidation) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kLeaseReadNoCheckQuorum, planted);
    options.read_only_option = ReadOnlyOption::kLeaseBased;
    options.check_quorum = false;
    auto storage = NewStorage(Voters({1, 2, 3}));
    Prng prng(1);
    EXPECT_EQ(TestConfig(1, storage.get(), &prng, options).Validate().has_value(), planted);
  }
}

// B09 (b): once a transfer starts, the transferee's forced election ignores
// the followers' lease, so the leader must confirm reads with a quorum.
TEST(RaftBugZoo, B09_LeaseReadNoCheckQuorumServesReadDuringTransfer) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kLeaseReadNoCheckQuorum, planted);
    options.read_only_option = ReadOnlyOption::kLeaseBased;
    options.check_quorum = true;
    TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
    ElectLeader(t);
    AckNoopEntry(t);
    ConfirmedHeartbeatRound(t, options);
    // Without a transfer the lease serves the read at once, bug or not.
    t->Step(ReadIndex(1, "before"));
    ASSERT_EQ(ReadIndexes(t), std::vector<uint64_t>{1});
    t->Step(MakeMsg(2, 1, MessageType::kTransferLeader));
    ASSERT_EQ(t->lead_transferee(), 2u);
    const std::vector<Message> sent = ReadMessages(t);
    ASSERT_EQ(OfType(sent, MessageType::kTimeoutNow).size(), 1u);
    t->Step(ReadIndex(1, "during"));
    EXPECT_EQ(ReadIndexes(t), planted ? std::vector<uint64_t>{1} : std::vector<uint64_t>{});
  }
}

// B09 (c): etcd takes leadership itself as the lease. A leader that stopped
// hearing its followers keeps leading until check-quorum, up to two election
// timeouts, while they may elect another after one.
TEST(RaftBugZoo, B09_LeaseReadNoCheckQuorumOutlivesTheFollowersWindow) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kLeaseReadNoCheckQuorum, planted);
    options.read_only_option = ReadOnlyOption::kLeaseBased;
    options.check_quorum = true;
    TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
    ElectLeader(t);
    AckNoopEntry(t);
    ConfirmedHeartbeatRound(t, options);
    // The followers go silent for all but one tick of their election timeout.
    for (int i = 1; i < options.election_tick; ++i) t->Tick();
    ReadMessages(t);
    ASSERT_EQ(t->state(), StateRole::kLeader);
    t->Step(ReadIndex(1, "late"));
    EXPECT_EQ(ReadIndexes(t), planted ? std::vector<uint64_t>{1} : std::vector<uint64_t>{});
  }
}

// B12: with pre-vote, an election timeout starts a pre-vote round that
// leaves the term alone (thesis §9.6).
TEST(RaftBugZoo, B12_NoPreVoteRaisesTermOnTimeout) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kNoPreVote, planted);
    options.pre_vote = true;
    TestRaft t = NewTestRaft(2, {1, 2, 3}, options);
    RaftTestAccess::BecomeFollower(*t, 1, 1);
    RaftTestAccess::SetRandomizedElectionTimeout(*t, 10);
    for (int i = 0; i < 10; ++i) t->Tick();
    EXPECT_EQ(t->state(), planted ? StateRole::kCandidate : StateRole::kPreCandidate);
    EXPECT_EQ(t->term(), planted ? 2u : 1u);
    const std::vector<Message> msgs = ReadMessages(t);
    EXPECT_EQ(OfType(msgs, MessageType::kPreVote).size(), planted ? 0u : 2u);
    EXPECT_EQ(OfType(msgs, MessageType::kVote).size(), planted ? 2u : 0u);
  }
}

// B13: with check-quorum, a follower that just heard from its leader ignores
// a pre-vote (the leader stickiness Howard & Abraham show liveness needs).
TEST(RaftBugZoo, B13_PreVoteIgnoresLeaderGrantsWhileLeaderAlive) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kPreVoteIgnoresLeader, planted);
    options.pre_vote = true;
    options.check_quorum = true;
    TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
    RaftTestAccess::BecomeFollower(*t, 1, 2);
    t->Step(VoteRequest(MessageType::kPreVote, 3, 1, 2));
    const std::vector<Message> resp = OfType(ReadMessages(t), MessageType::kPreVoteResp);
    ASSERT_EQ(resp.size(), planted ? 1u : 0u);
    if (planted) {
      EXPECT_FALSE(resp[0].reject);
    }
    EXPECT_EQ(t->term(), 1u);
  }
}

// B14's cluster: of three voters with empty logs and pre-vote on, node 1 at
// term 5 and node 2 at term 1 (node 3 is down).
std::pair<TestRaft, TestRaft> AheadAndBehind(bool planted) {
  TestRaftOptions options = WithBug(Bug::kPreVoteStaleTerm, planted);
  options.pre_vote = true;
  return {NewTestRaft(1, NewStorage(Voters({1, 2, 3}), {}, HardState{5, kNone, 0}), options),
          NewTestRaft(2, NewStorage(Voters({1, 2, 3}), {}, HardState{1, kNone, 0}), options)};
}

// B14 (etcd-io/etcd#8243): node 1 at term 5 pre-campaigns for term 6; node 2,
// at term 1 with an equally empty log, grants. With node 1's own vote that
// is a quorum of 3, so node 1 must start the real election.
TEST(RaftBugZoo, B14_PreVoteStaleTermStallsCandidateAhead) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    auto [a, b] = AheadAndBehind(planted);
    a->Step(MakeMsg(1, 1, MessageType::kHup));
    ASSERT_EQ(a->state(), StateRole::kPreCandidate);
    for (const Message& m : ReadMessages(a)) {
      if (m.to == 2) b->Step(m);
    }
    const std::vector<Message> resp = OfType(ReadMessages(b), MessageType::kPreVoteResp);
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_FALSE(resp[0].reject);
    EXPECT_EQ(resp[0].term, planted ? 1u : 6u);
    a->Step(resp[0]);
    EXPECT_EQ(a->state(), planted ? StateRole::kPreCandidate : StateRole::kCandidate);
    EXPECT_EQ(a->term(), planted ? 5u : 6u);
  }
}

// B14, the other direction: node 2 (term 1) pre-campaigns for term 2 and asks
// node 1 (term 5). The correct core rejects with term 5, so node 2 catches
// up; with the bug, as in etcd before #8525, node 1 stays silent and node 2
// never learns the higher term: with the third member down, the deadlock.
TEST(RaftBugZoo, B14_PreVoteStaleTermLeavesCandidateBehindUnanswered) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    auto [a, b] = AheadAndBehind(planted);
    b->Step(MakeMsg(2, 2, MessageType::kHup));
    ASSERT_EQ(b->state(), StateRole::kPreCandidate);
    for (const Message& m : ReadMessages(b)) {
      if (m.to == 1) a->Step(m);
    }
    const std::vector<Message> resp = OfType(ReadMessages(a), MessageType::kPreVoteResp);
    ASSERT_EQ(resp.size(), planted ? 0u : 1u);
    if (planted) continue;
    EXPECT_TRUE(resp[0].reject);
    EXPECT_EQ(resp[0].term, 5u);
    b->Step(resp[0]);
    EXPECT_EQ(b->state(), StateRole::kFollower);
    EXPECT_EQ(b->term(), 5u);
  }
}

// B15 (etcd-io/etcd#9586): node 2 lost its leader 1 and pre-campaigns. A
// pre-candidate has no leader, so it grants node 3's pre-vote.
TEST(RaftBugZoo, B15_PreCandidateKeepsLeaderRejectsPeerPreVote) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kPreCandidateKeepsLeader, planted);
    options.pre_vote = true;
    options.check_quorum = true;
    TestRaft t = NewTestRaft(2, {1, 2, 3}, options);
    RaftTestAccess::BecomeFollower(*t, 1, 1);
    RaftTestAccess::SetRandomizedElectionTimeout(*t, 10);
    for (int i = 0; i < 10; ++i) t->Tick();
    ASSERT_EQ(t->state(), StateRole::kPreCandidate);
    EXPECT_EQ(t->lead(), planted ? 1u : kNone);
    ReadMessages(t);
    t->Step(VoteRequest(MessageType::kPreVote, 3, 2, 2));
    const std::vector<Message> resp = OfType(ReadMessages(t), MessageType::kPreVoteResp);
    ASSERT_EQ(resp.size(), planted ? 0u : 1u);
    if (!planted) {
      EXPECT_FALSE(resp[0].reject);
    }
  }
}

// B17 (etcd-io/etcd#14633): a window of 2 to node 3 fills with lost appends.
// Node 3's heartbeat response must still get an (empty) MsgApp out of the
// leader, whose answer tells where node 3 really is.
TEST(RaftBugZoo, B17_InflightStallSendsNothingOnFullWindow) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kInflightStall, planted);
    options.max_inflight_msgs = 2;
    TestRaft t = NewTestRaft(1, {1, 2, 3}, options);
    ElectLeader(t);
    AckNoopEntry(t);
    t->Step(Propose(1, "a"));
    t->Step(Propose(1, "b"));
    for (const Message& m : ReadMessages(t)) {
      if (m.type == MessageType::kApp && m.to == 2) t->Step(AcceptAndReply(m));
      // Appends to node 3 are lost.
    }
    ASSERT_TRUE(RaftTestAccess::Tracker(*t).progress.at(3).inflights.Full());
    for (int round = 0; round < 3; ++round) {
      SCOPED_TRACE(round);
      t->Step(MakeMsg(1, 1, MessageType::kBeat));
      std::vector<Message> beats = OfType(ReadMessages(t), MessageType::kHeartbeat);
      std::erase_if(beats, [](const Message& m) { return m.to != 3; });
      ASSERT_EQ(beats.size(), 1u);
      AnswerHeartbeats(t, beats);
      std::vector<Message> apps = OfType(ReadMessages(t), MessageType::kApp);
      std::erase_if(apps, [](const Message& m) { return m.to != 3; });
      EXPECT_EQ(apps.size(), planted ? 0u : 1u);
    }
  }
}

// B18: a limit of 10 payload bytes admits one 8-byte proposal at a time;
// once it is committed and applied, the next must be accepted.
TEST(RaftBugZoo, B18_UncommittedSizeLeakDropsProposalsAfterCommit) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kUncommittedSizeLeak, planted);
    options.max_uncommitted_entries_size = 10;
    TestRaft t = NewTestRaft(1, {1, 2}, options);
    ElectLeader(t);
    AckNoopEntry(t);
    ASSERT_EQ(t->Step(Propose(1, "aaaaaaaa")), StepResult::kOk);
    for (const Message& m : ReadMessages(t)) {
      if (m.type == MessageType::kApp) t->Step(AcceptAndReply(m));
    }
    const std::vector<Entry> applied = NextEnts(t);
    ASSERT_EQ(applied.size(), 1u);
    ASSERT_EQ(applied[0].data, "aaaaaaaa");
    EXPECT_EQ(t->Step(Propose(1, "bbbbbbbb")),
              planted ? StepResult::kProposalDropped : StepResult::kOk);
  }
}

// B20 (akka-raft#50): node 2's vote arrives twice. The candidate has two
// distinct votes of five, no majority.
TEST(RaftBugZoo, B20_DoubleCountVotesWinsWithDuplicate) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, {1, 2, 3, 4, 5}, WithBug(Bug::kDoubleCountVotes, planted));
    t->Step(MakeMsg(1, 1, MessageType::kHup));
    ReadMessages(t);  // its own vote counts once durable
    ASSERT_EQ(t->state(), StateRole::kCandidate);
    const Message vote = MakeMsg(2, 1, MessageType::kVoteResp, 1);
    t->Step(vote);
    t->Step(vote);
    EXPECT_EQ(t->state(), planted ? StateRole::kLeader : StateRole::kCandidate);
  }
}

// B21 (etcd-io/etcd#15784): nodes with different seeds must draw different
// election timeouts; with the bug every node draws the same ones.
TEST(RaftBugZoo, B21_SameElectionSeedGivesEqualTimeouts) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaftOptions options = WithBug(Bug::kSameElectionSeed, planted);
    std::vector<std::vector<int>> timeouts;
    for (NodeId id : {1u, 2u, 3u}) {
      options.seed = 100 + id;
      TestRaft t = NewTestRaft(id, {1, 2, 3}, options);
      std::vector<int> drawn = {t->randomized_election_timeout()};
      for (uint64_t term = 1; term <= 20; ++term) {
        RaftTestAccess::BecomeFollower(*t, term, kNone);
        drawn.push_back(t->randomized_election_timeout());
      }
      timeouts.push_back(drawn);
    }
    EXPECT_EQ(timeouts[0] == timeouts[1], planted);
    EXPECT_EQ(timeouts[1] == timeouts[2], planted);
  }
}

// B27 (raft.tla#18): node 2 acknowledges index 3, then a reordered, older
// acknowledgement of index 2 arrives. Match never moves backwards.
TEST(RaftBugZoo, B27_MatchRegressOnReorderedResponse) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t = NewTestRaft(1, {1, 2, 3}, WithBug(Bug::kMatchRegress, planted));
    ElectLeader(t);
    AckNoopEntry(t);
    t->Step(Propose(1, "a"));  // index 2
    t->Step(Propose(1, "b"));  // index 3
    Message older = MakeMsg(2, 1, MessageType::kAppResp, 1);
    older.index = 2;
    Message newer = older;
    newer.index = 3;
    t->Step(newer);
    const Progress& pr = RaftTestAccess::Tracker(*t).progress.at(2);
    ASSERT_EQ(pr.match, 3u);
    t->Step(older);
    EXPECT_EQ(pr.match, planted ? 2u : 3u);
    EXPECT_EQ(pr.next, planted ? 3u : 4u);
  }
}

// B28 (etcd-io/raft#138): node 3 never acknowledged anything. A heartbeat
// may carry at most its match (0), whatever the leader's commit (2).
TEST(RaftBugZoo, B28_HeartbeatUncappedCommitSendsFullCommit) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted);
    TestRaft t =
        NewTestRaft(1, NewStorage(Voters({1, 2, 3}), {MakeEntry(1, 1)}, HardState{1, kNone, 1}),
                    WithBug(Bug::kHeartbeatUncappedCommit, planted));
    ElectLeader(t);  // term 2, its empty entry at 2
    for (const Message& m : ReadMessages(t)) {
      if (m.type == MessageType::kApp && m.to == 2) t->Step(AcceptAndReply(m));
    }
    ASSERT_EQ(t->raft_log().committed(), 2u);
    t->Step(MakeMsg(1, 1, MessageType::kBeat));
    std::vector<Message> beats = OfType(ReadMessages(t), MessageType::kHeartbeat);
    std::erase_if(beats, [](const Message& m) { return m.to != 3; });
    ASSERT_EQ(beats.size(), 1u);
    EXPECT_EQ(beats[0].commit, planted ? 2u : 0u);
  }
}

// B28 at the follower: a node that lost its log (empty, term 1) receives the
// uncapped heartbeat. Committing past the end of the log is fail-stop
// (etcd's "tocommit out of range" panic), so the bug is a crash finding.
TEST(RaftBugZooDeathTest, B28_HeartbeatUncappedCommitCrashesLaggingFollower) {
  TestRaft leader =
      NewTestRaft(1, NewStorage(Voters({1, 2, 3}), {MakeEntry(1, 1)}, HardState{1, kNone, 1}),
                  WithBug(Bug::kHeartbeatUncappedCommit, true));
  ElectLeader(leader);
  ReadMessages(leader);
  leader->Step(MakeMsg(1, 1, MessageType::kBeat));
  std::vector<Message> beats = OfType(ReadMessages(leader), MessageType::kHeartbeat);
  std::erase_if(beats, [](const Message& m) { return m.to != 3; });
  ASSERT_EQ(beats.size(), 1u);
  TestRaft follower = NewTestRaft(3, NewStorage(Voters({1, 2, 3}), {}, HardState{1, kNone, 0}));
  EXPECT_DEATH(follower->Step(beats[0]), "tocommit\\(1\\) is out of range");
}

}  // namespace
}  // namespace raftlab::raft
