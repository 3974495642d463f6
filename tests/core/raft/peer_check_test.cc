// Raft::CheckPeerMessage (core/raft/raft.h, "Peer input", layer 2): each
// message a broken or hostile peer sends that Step would stop on is
// refused, and the same message a correct peer sends passes. Every case
// was first a crash of tests/fuzz/fuzz_raft_step.cc, or is the sibling of
// one (the corpus files are named after them).
#include <gtest/gtest.h>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

// A follower of term 2 whose log holds entries 1..3 (terms 1, 1, 2),
// committed up to 2.
TestRaft Follower() {
  return NewTestRaft(1, NewStorage(Voters({1, 2, 3}), EntriesWithTerms({1, 1, 2}),
                                   HardState{2, kNone, 2}));
}

TEST(PeerCheck, HeartbeatCommitBeyondTheLogIsRefused) {
  TestRaft r = Follower();
  Message beat = MakeMsg(2, 1, MessageType::kHeartbeat, 2);
  beat.commit = 3;  // the follower holds entry 3: a correct leader may say so
  EXPECT_TRUE(r->CheckPeerMessage(beat).has_value());
  beat.commit = 4;  // corpus/raft_step/heartbeat-commit-beyond-log
  Result<void> refused = r->CheckPeerMessage(beat);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("commit 4 is beyond the last index 3"), std::string::npos);
  // Of a higher term too (the node would first follow the sender).
  beat.term = 7;
  EXPECT_FALSE(r->CheckPeerMessage(beat).has_value());
  // Of a lower term, Step answers it without reading the commit.
  beat.term = 1;
  EXPECT_TRUE(r->CheckPeerMessage(beat).has_value());
  r->Step(beat);  // and does not stop
}

// An append that would overwrite committed entries needs no check: it
// starts below the commit index, so Step answers it without appending (and
// without reaching RaftLog::MaybeAppend's CHECK).
TEST(PeerCheck, AppendOverCommittedEntriesIsAnsweredNotApplied) {
  TestRaft r = Follower();
  Message app = MakeMsg(2, 1, MessageType::kApp, 3);
  app.index = 1;
  app.log_term = 1;
  app.entries = {MakeEntry(3, 2), MakeEntry(3, 3)};  // entry 2 is committed at term 1
  EXPECT_TRUE(r->CheckPeerMessage(app).has_value());
  r->Step(app);
  EXPECT_EQ(LogTerms(*r), (std::vector<uint64_t>{1, 1, 2}));
  std::vector<Message> out = ReadMessages(r);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, MessageType::kAppResp);
  EXPECT_EQ(out[0].index, 2u);  // "I have everything up to my commit index"
}

TEST(PeerCheck, SnapshotWhoseConfigurationCannotBeRestoredIsRefused) {
  TestRaft r = Follower();
  Message snap = MakeMsg(2, 1, MessageType::kSnap, 3);
  snap.snapshot = ConfSnapshot(10, 3, {1, 2, 3});
  EXPECT_TRUE(r->CheckPeerMessage(snap).has_value());
  snap.snapshot->metadata.conf_state.voters = {3, 1, 2};  // reads back sorted
  EXPECT_FALSE(r->CheckPeerMessage(snap).has_value());
  snap.snapshot->metadata.conf_state.voters = {1, 2, 3};
  snap.snapshot->metadata.conf_state.learners = {2};  // a voter and a learner at once
  EXPECT_FALSE(r->CheckPeerMessage(snap).has_value());
}

}  // namespace
}  // namespace raftlab::raft
