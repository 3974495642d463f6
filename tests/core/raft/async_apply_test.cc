// The asynchronous-apply side of the Ready contract (raw_node.h): a host that
// advances a Ready unapplied and reports AppliedTo later, as etcd's server
// applies in its own goroutine. Raft must treat those entries as unapplied
// until then, hand each out only once, and keep a snapshot from overtaking
// them.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/base/bugs.h"
#include "core/raft/codec.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

ConfChangeV2 AddVoter(NodeId id) {
  ConfChangeV2 cc;
  cc.changes.push_back(ConfChangeSingle{ConfChangeType::kAddNode, id});
  return cc;
}

// Voters {1,2,3}; index 1 adds voter 4, index 2 is a normal entry; both
// committed (term 1). Node 1 restarts with them unapplied.
TestRawNode NodeWithCommittedConfChange(const TestRaftOptions& options = {}) {
  const Entry conf{1, 1, EntryType::kConfChangeV2, EncodeConfChangeV2(AddVoter(4))};
  return NewTestRawNode(1, NewStorage(Voters({1, 2, 3}), {conf, MakeEntry(1, 2)}, HardState{1, kNone, 2}),
                        options);
}

std::vector<NodeId> VoteRequestTargets(const Ready& rd) {
  std::vector<NodeId> to;
  for (const Message& m : rd.messages) {
    if (m.type == MessageType::kVote) to.push_back(m.to);
  }
  std::sort(to.begin(), to.end());
  return to;
}

TEST(AsyncApply, HandedOutEntriesStayUnappliedAndAreNotHandedOutAgain) {
  TestRawNode n = NodeWithCommittedConfChange();
  Ready rd = n->GetReady();
  ASSERT_EQ(rd.committed_entries.size(), 2u);
  n->AdvanceUnapplied();
  EXPECT_EQ(n->raft().raft_log().applied(), 0u);
  EXPECT_EQ(n->raft().raft_log().applying(), 2u);
  EXPECT_FALSE(n->HasReady());  // nothing new: the two entries went out once

  n->ApplyConfChange(AddVoter(4));
  n->AppliedTo(2);
  EXPECT_EQ(n->raft().raft_log().applied(), 2u);
  EXPECT_FALSE(n->HasReady());
}

TEST(AsyncApply, NoCampaignWhileACommittedConfChangeIsUnapplied) {
  TestRawNode n = NodeWithCommittedConfChange();
  n->GetReady();
  n->AdvanceUnapplied();
  n->Campaign();
  EXPECT_EQ(n->raft().state(), StateRole::kFollower);
  EXPECT_EQ(n->raft().term(), 1u);

  // Applied: the campaign goes ahead and asks the new voter set {1,2,3,4}.
  n->ApplyConfChange(AddVoter(4));
  n->AppliedTo(2);
  n->Campaign();
  EXPECT_EQ(n->raft().state(), StateRole::kCandidate);
  ASSERT_TRUE(n->HasReady());
  EXPECT_EQ(VoteRequestTargets(n->GetReady()), (std::vector<NodeId>{2, 3, 4}));
}

// B04 (campaign-unapplied-conf) where it bites: with the guard gone the
// node campaigns on its stale voter set {1,2,3} and never asks voter 4.
TEST(AsyncApply, PlantedB04CampaignsOnTheStaleVoterSet) {
  TestRawNode n = NodeWithCommittedConfChange(WithBug(Bug::kCampaignUnappliedConf, true));
  n->GetReady();
  n->AdvanceUnapplied();
  n->Campaign();
  EXPECT_EQ(n->raft().state(), StateRole::kCandidate);
  ASSERT_TRUE(n->HasReady());
  EXPECT_EQ(VoteRequestTargets(n->GetReady()), (std::vector<NodeId>{2, 3}));
}

// Regression (found by scenarios/slow-apply.yaml's mix, seed 744 of an
// early draft): a follower restored a snapshot's configuration while it
// still held handed-out conf changes; applying them afterwards re-applied
// them on top of the snapshot's configuration, which ended with no voters.
TEST(AsyncApply, ASnapshotWaitsUntilHandedOutEntriesAreApplied) {
  TestRawNode n = NodeWithCommittedConfChange();
  n->GetReady();
  n->AdvanceUnapplied();

  Message snap = MakeMsg(2, 1, MessageType::kSnap, 1);
  snap.snapshot = Snapshot{"", SnapshotMetadata{Voters({1, 2, 3, 4}), 5, 1}};
  n->Step(snap);
  ASSERT_TRUE(n->HasReady());
  Ready rd = n->GetReady();
  EXPECT_TRUE(rd.snapshot.IsEmpty());
  const auto resp = std::find_if(rd.messages.begin(), rd.messages.end(),
                                 [](const Message& m) { return m.type == MessageType::kAppResp; });
  ASSERT_NE(resp, rd.messages.end());
  EXPECT_EQ(resp->index, 2u);  // "I have 2": the leader tries again from there
  EXPECT_EQ(n->raft().tracker().VoterNodes(), (std::vector<NodeId>{1, 2, 3}));
  n->Advance();

  n->ApplyConfChange(AddVoter(4));
  n->AppliedTo(2);
  n->Step(snap);
  ASSERT_TRUE(n->HasReady());
  EXPECT_EQ(n->GetReady().snapshot.metadata.index, 5u);
}

}  // namespace
}  // namespace raftlab::raft
