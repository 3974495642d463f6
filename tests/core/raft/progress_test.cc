// Progress: the leader's view of one follower (match, next, probe /
// replicate / snapshot). Tables follow etcd-io/raft's tracker/progress_test.go.
#include "core/raft/progress.h"

#include <gtest/gtest.h>

namespace raftlab::raft {
namespace {

Progress Make(ProgressState state, uint64_t match, uint64_t next, size_t max_inflight = 256) {
  Progress p(next, max_inflight, 0, false);
  p.state = state;
  p.match = match;
  p.next = next;
  return p;
}

TEST(Progress, MaybeUpdateNeverLowersMatch) {
  const uint64_t prev_match = 3;
  const uint64_t prev_next = 5;
  struct Case {
    uint64_t update;
    uint64_t want_match;
    uint64_t want_next;
    bool want_updated;
  };
  const Case cases[] = {
      {prev_match - 1, prev_match, prev_next, false},  // older: ignored
      {prev_match, prev_match, prev_next, false},      // same: ignored
      {prev_match + 1, prev_match + 1, prev_next, true},
      {prev_match + 2, prev_match + 2, prev_next + 1, true},  // next follows
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    Progress p = Make(ProgressState::kProbe, prev_match, prev_next);
    EXPECT_EQ(p.MaybeUpdate(cases[i].update), cases[i].want_updated);
    EXPECT_EQ(p.match, cases[i].want_match);
    EXPECT_EQ(p.next, cases[i].want_next);
  }
}

TEST(Progress, MaybeUpdateUnpauses) {
  Progress p = Make(ProgressState::kProbe, 1, 2);
  p.SentEntries(1, 10);
  ASSERT_TRUE(p.IsPaused());
  EXPECT_TRUE(p.MaybeUpdate(2));
  EXPECT_FALSE(p.IsPaused());
}

TEST(Progress, MaybeDecrTo) {
  struct Case {
    ProgressState state;
    uint64_t match;
    uint64_t next;
    uint64_t rejected;
    uint64_t hint;
    bool want;
    uint64_t want_next;
  };
  const Case cases[] = {
      // replicate: a rejection at or below match is stale
      {ProgressState::kReplicate, 5, 10, 5, 5, false, 10},
      {ProgressState::kReplicate, 5, 10, 4, 4, false, 10},
      // replicate: a real rejection sends next back to match + 1
      {ProgressState::kReplicate, 5, 10, 9, 9, true, 6},
      // probe: only the rejection of the probe in flight (next - 1) counts
      {ProgressState::kProbe, 0, 10, 5, 5, false, 10},
      {ProgressState::kProbe, 0, 10, 9, 9, true, 9},
      {ProgressState::kProbe, 0, 2, 1, 1, true, 1},
      {ProgressState::kProbe, 0, 1, 0, 0, true, 1},
      // probe: the follower's hint moves next further back, never below match + 1
      {ProgressState::kProbe, 0, 10, 9, 2, true, 3},
      {ProgressState::kProbe, 0, 10, 9, 0, true, 1},
      {ProgressState::kProbe, 4, 10, 9, 1, true, 5},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    Progress p = Make(c.state, c.match, c.next);
    EXPECT_EQ(p.MaybeDecrTo(c.rejected, c.hint), c.want);
    EXPECT_EQ(p.match, c.match);  // a rejection never changes match
    EXPECT_EQ(p.next, c.want_next);
  }
}

TEST(Progress, MaybeDecrToUnpausesProbe) {
  Progress p = Make(ProgressState::kProbe, 0, 10);
  p.SentEntries(1, 10);
  ASSERT_TRUE(p.IsPaused());
  EXPECT_TRUE(p.MaybeDecrTo(9, 9));
  EXPECT_FALSE(p.IsPaused());
}

TEST(Progress, IsPausedPerState) {
  struct Case {
    ProgressState state;
    bool paused;
    bool want;
  };
  const Case cases[] = {
      {ProgressState::kProbe, false, false},     {ProgressState::kProbe, true, true},
      {ProgressState::kReplicate, false, false}, {ProgressState::kReplicate, true, true},
      {ProgressState::kSnapshot, false, true},   {ProgressState::kSnapshot, true, true},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    Progress p = Make(cases[i].state, 0, 1);
    p.msg_app_flow_paused = cases[i].paused;
    EXPECT_EQ(p.IsPaused(), cases[i].want);
  }
}

TEST(Progress, ProbeSendsOneMessageAtATime) {
  Progress p = Make(ProgressState::kProbe, 0, 1);
  EXPECT_FALSE(p.IsPaused());
  p.SentEntries(0, 0);  // even an empty probe waits for its answer
  EXPECT_TRUE(p.IsPaused());
  EXPECT_EQ(p.next, 1u);  // probing does not move next optimistically
}

TEST(Progress, ReplicatePausesWhenWindowFull) {
  Progress p(1, 2, 0, false);
  p.BecomeReplicate();
  p.SentEntries(3, 30);
  EXPECT_EQ(p.next, 4u);
  EXPECT_FALSE(p.IsPaused());
  p.SentEntries(2, 20);
  EXPECT_EQ(p.next, 6u);
  EXPECT_TRUE(p.IsPaused());  // two messages in flight: the window is full
  EXPECT_EQ(p.inflights.Count(), 2u);
  p.MaybeUpdate(3);
  p.inflights.FreeLE(3);
  EXPECT_FALSE(p.inflights.Full());
}

TEST(Progress, BecomeProbe) {
  {
    Progress p = Make(ProgressState::kReplicate, 1, 5);
    p.BecomeProbe();
    EXPECT_EQ(p.state, ProgressState::kProbe);
    EXPECT_EQ(p.next, 2u);
  }
  {
    // Back from a snapshot: the follower has at least the snapshot.
    Progress p = Make(ProgressState::kProbe, 1, 5);
    p.BecomeSnapshot(10);
    p.BecomeProbe();
    EXPECT_EQ(p.state, ProgressState::kProbe);
    EXPECT_EQ(p.next, 11u);
    EXPECT_EQ(p.pending_snapshot, 0u);
  }
  {
    // A failed snapshot (pending cleared) probes from match.
    Progress p = Make(ProgressState::kProbe, 1, 5);
    p.BecomeSnapshot(10);
    p.pending_snapshot = 0;
    p.BecomeProbe();
    EXPECT_EQ(p.next, 2u);
  }
}

TEST(Progress, BecomeReplicateAndSnapshot) {
  Progress p = Make(ProgressState::kProbe, 1, 5);
  p.BecomeReplicate();
  EXPECT_EQ(p.state, ProgressState::kReplicate);
  EXPECT_EQ(p.next, 2u);
  p.BecomeSnapshot(10);
  EXPECT_EQ(p.state, ProgressState::kSnapshot);
  EXPECT_EQ(p.match, 1u);
  EXPECT_EQ(p.pending_snapshot, 10u);
  EXPECT_TRUE(p.IsPaused());
}

}  // namespace
}  // namespace raftlab::raft
