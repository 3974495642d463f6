// Bug zoo mutations of the KV server (BUGZOO.md B11, B22) on the in-memory
// cluster: the correct behaviour with the bug off, the planted symptom with
// it on.
#include <gtest/gtest.h>

#include "tests/core/server/server_cluster.h"

namespace raftlab::server {
namespace {

using testing::ServerCluster;

ServerConfig Base(std::optional<Bug> bug = std::nullopt) {
  ServerConfig c;
  c.tick_ms = 100;
  c.election_tick = 10;
  c.request_timeout_ms = 3000;
  c.snapshot_entries = 1000;  // everything stays in the WAL: restarts replay it
  if (bug) c.bugs.Add(*bug);
  return c;
}

serverpb::ClientRequest Put(const std::string& k, const std::string& v, int64_t lease = 0) {
  serverpb::ClientRequest r;
  r.mutable_put()->set_key(k);
  r.mutable_put()->set_value(v);
  r.mutable_put()->set_lease(lease);
  return r;
}

serverpb::ClientRequest KeepAlive(int64_t lease) {
  serverpb::ClientRequest r;
  r.mutable_lease_keep_alive()->set_id(lease);
  return r;
}

struct Restarted {
  uint64_t consistent_index = 0;
  uint64_t leader_consistent_index = 0;
  int64_t revision = 0;
  int64_t leader_revision = 0;
};

// Five puts, a follower restarts from its WAL (bootstrap snapshot + entries).
Restarted RestartAFollower(std::optional<Bug> bug) {
  ServerCluster c(3, Base(bug));
  const raft::NodeId leader = c.WaitForLeader();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(c.Call(leader, Put("k", std::to_string(i)))->outcome(), serverpb::OUTCOME_OK);
  }
  c.TickFor(500);  // heartbeats carry the commit index to the followers' disks
  const raft::NodeId follower = leader == 1 ? 2 : 1;
  c.Crash(follower);
  c.Start(follower);
  c.Settle();
  return Restarted{c.server(follower).consistent_index(), c.server(leader).consistent_index(),
                   c.server(follower).kv().current_revision(),
                   c.server(leader).kv().current_revision()};
}

TEST(ServerBugZoo, B11_RestartReplaysEntriesAfterTheSnapshotUnlessTheBugIsOn) {
  const Restarted good = RestartAFollower(std::nullopt);
  EXPECT_EQ(good.consistent_index, good.leader_consistent_index);
  EXPECT_EQ(good.revision, 6);
  EXPECT_EQ(good.revision, good.leader_revision);
  const Restarted bad = RestartAFollower(Bug::kApplyIndexNotAtomic);
  // It claims to have applied everything the leader has...
  EXPECT_EQ(bad.consistent_index, bad.leader_consistent_index);
  // ...but its state holds none of the entries after the bootstrap snapshot.
  EXPECT_EQ(bad.revision, 1) << "the member replayed its WAL";
  EXPECT_EQ(bad.leader_revision, 6);
}

// A lease kept alive through the new leader while the old one sits cut off,
// then the old one rejoins. Returns whether the key survived and how the
// cut-off leader answered a keepalive.
struct DeposedRun {
  bool key_survived = false;
  serverpb::Outcome cut_off_keepalive = serverpb::OUTCOME_UNKNOWN;
};

DeposedRun KeepAliveAcrossADeposedLeader(std::optional<Bug> bug) {
  ServerCluster c(3, Base(bug));
  const raft::NodeId old_leader = c.WaitForLeader();
  serverpb::ClientRequest grant;
  grant.mutable_lease_grant()->set_ttl(3);
  auto g = c.Call(old_leader, grant);
  EXPECT_EQ(g->outcome(), serverpb::OUTCOME_OK) << g->error();
  const int64_t lease = g->lease_grant().id();
  EXPECT_EQ(c.Call(old_leader, Put("session", "alive", lease))->outcome(), serverpb::OUTCOME_OK);
  c.Isolate(old_leader);
  DeposedRun out;
  // The cut-off leader must not acknowledge renewals it cannot confirm.
  auto ka = c.Call(old_leader, KeepAlive(lease), 40);
  out.cut_off_keepalive = ka ? ka->outcome() : serverpb::OUTCOME_UNKNOWN;
  const raft::NodeId new_leader = c.WaitForLeader();
  EXPECT_NE(new_leader, old_leader);
  // The client keeps the lease alive through the new leader, once a second,
  // for three TTLs; the old leader rejoins half-way.
  for (int second = 0; second < 9; ++second) {
    if (second == 4) c.Heal();
    c.Call(new_leader, KeepAlive(lease));
    c.TickFor(1000);
  }
  const mvcc::KvStore& kv = c.server(new_leader).kv();
  out.key_survived = kv.Get("session", kv.current_revision()) != nullptr;
  return out;
}

TEST(ServerBugZoo, B22_DeposedLeaderNeitherRenewsNorRevokesUnlessTheBugIsOn) {
  const DeposedRun good = KeepAliveAcrossADeposedLeader(std::nullopt);
  EXPECT_TRUE(good.key_survived);
  EXPECT_NE(good.cut_off_keepalive, serverpb::OUTCOME_OK);
  const DeposedRun bad = KeepAliveAcrossADeposedLeader(Bug::kLeaseDeposedPrimary);
  EXPECT_EQ(bad.cut_off_keepalive, serverpb::OUTCOME_OK)
      << "the cut-off leader should renew without a leadership check";
  EXPECT_FALSE(bad.key_survived) << "the deposed primary should have revoked a live lease";
}

}  // namespace
}  // namespace raftlab::server
