// The replicated KV server on a deterministic 3-member cluster: writes and
// reads, a leader change with requests in flight (each ends with one
// outcome), lease expiry through the leader, the NOSPACE alarm, crash and
// recovery from WAL and snapshots, and identical replicas at the end.
#include <gtest/gtest.h>

#include "core/raft/codec.h"
#include "tests/core/server/server_cluster.h"

namespace raftlab::server {
namespace {

using testing::ServerCluster;

ServerConfig Base() {
  ServerConfig c;
  c.tick_ms = 100;
  c.election_tick = 10;
  c.request_timeout_ms = 3000;
  c.snapshot_entries = 20;
  c.snapshot_catchup_entries = 5;
  return c;
}

serverpb::ClientRequest Put(const std::string& k, const std::string& v, int64_t lease = 0) {
  serverpb::ClientRequest r;
  r.mutable_put()->set_key(k);
  r.mutable_put()->set_value(v);
  r.mutable_put()->set_lease(lease);
  return r;
}

serverpb::ClientRequest Get(const std::string& k, bool serializable = false) {
  serverpb::ClientRequest r;
  r.mutable_range()->set_key(k);
  r.set_serializable(serializable);
  return r;
}

void ExpectSameStateEverywhere(ServerCluster& c) {
  c.Settle();
  for (int i = 0; i < 30; ++i) c.Tick();  // let heartbeats carry the last commit
  const Server& first = c.server(1);
  for (raft::NodeId id : {2, 3}) {
    EXPECT_EQ(c.server(id).consistent_index(), first.consistent_index()) << "member " << id;
    EXPECT_EQ(c.server(id).kv().current_revision(), first.kv().current_revision());
    EXPECT_EQ(c.server(id).KvHash(), first.KvHash()) << "member " << id;
  }
}

TEST(Server, WritesThenLinearizableAndSerializableReads) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  auto put = c.Call(leader, Put("k", "v1"));
  ASSERT_TRUE(put.has_value());
  ASSERT_EQ(put->outcome(), serverpb::OUTCOME_OK) << put->error();
  EXPECT_EQ(put->put().header().revision(), 2);  // S1: R starts at 1, a put makes it 2
  const raft::NodeId follower = leader == 1 ? 2 : 1;
  auto put2 = c.Call(follower, Put("k", "v2"));  // forwarded to the leader
  ASSERT_EQ(put2->outcome(), serverpb::OUTCOME_OK) << put2->error();
  EXPECT_EQ(put2->put().header().revision(), 3);
  auto get = c.Call(follower, Get("k"));
  ASSERT_EQ(get->outcome(), serverpb::OUTCOME_OK) << get->error();
  ASSERT_EQ(get->range().kvs_size(), 1);
  EXPECT_EQ(get->range().kvs(0).value(), "v2");
  EXPECT_EQ(get->range().kvs(0).create_revision(), 2);
  EXPECT_EQ(get->range().kvs(0).mod_revision(), 3);
  EXPECT_EQ(get->range().kvs(0).version(), 2);
  auto stale_ok = c.Call(follower, Get("k", /*serializable=*/true));
  EXPECT_EQ(stale_ok->outcome(), serverpb::OUTCOME_OK);
  ExpectSameStateEverywhere(c);
}

// etcd's linearizableReadLoop: reads that arrive together share one
// ReadIndex round. Eight reads submitted on a follower in one turn send one
// MsgReadIndex with batch_reads, eight without, and every one is answered
// once with the value written before them.
TEST(Server, ReadsSubmittedTogetherShareOneReadIndexRoundWhenBatched) {
  for (bool batch : {false, true}) {
    SCOPED_TRACE(batch ? "batch_reads" : "a round per read");
    ServerConfig config = Base();
    config.batch_reads = batch;
    ServerCluster c(3, config);
    const raft::NodeId leader = c.WaitForLeader();
    ASSERT_EQ(c.Call(leader, Put("k", "v1"))->outcome(), serverpb::OUTCOME_OK);
    const raft::NodeId follower = leader == 1 ? 2 : 1;
    c.Settle();
    c.ResetSent();
    for (uint64_t id = 100; id < 108; ++id) {
      serverpb::ClientRequest r = Get("k");
      r.set_id(id);
      c.server(follower).Submit(r, c.now_ms());
    }
    c.Settle();
    c.Collect();
    EXPECT_EQ(c.Sent(raft::MessageType::kReadIndex), batch ? 1 : 8);
    std::map<uint64_t, int> answered;
    for (const serverpb::ClientResponse& r : c.member(follower).responses) {
      ++answered[r.id()];
      ASSERT_EQ(r.outcome(), serverpb::OUTCOME_OK) << r.error();
      ASSERT_EQ(r.range().kvs_size(), 1);
      EXPECT_EQ(r.range().kvs(0).value(), "v1");
    }
    for (uint64_t id = 100; id < 108; ++id) EXPECT_EQ(answered[id], 1) << "read " << id;
  }
}

serverpb::ClientRequest MemberUpdate(uint64_t id, std::vector<std::string> urls) {
  serverpb::ClientRequest r;
  r.mutable_member_update()->set_id(id);
  for (const std::string& u : urls) r.mutable_member_update()->add_peerurls(u);
  return r;
}

// etcd's MemberUpdate: new peer URLs through Raft (ConfChangeUpdateNode),
// the configuration unchanged; etcd's errors for an unknown member, a bad
// URL and a URL another member has.
TEST(Server, MemberUpdateReplacesPeerUrlsOnEveryMember) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  const raft::NodeId follower = leader == 1 ? 2 : 1;
  auto ok = c.Call(follower, MemberUpdate(3, {"http://10.0.0.3:2380", "http://10.0.0.3:2390"}));
  ASSERT_TRUE(ok.has_value());
  ASSERT_EQ(ok->outcome(), serverpb::OUTCOME_OK) << ok->error();
  ASSERT_TRUE(ok->has_member_update());
  EXPECT_EQ(ok->member_update().members_size(), 3);
  c.Settle();
  for (raft::NodeId id : {1, 2, 3}) {
    const std::vector<etcdserverpb::Member> members = c.server(id).Members();
    ASSERT_EQ(members.size(), 3u) << "member " << id;
    ASSERT_EQ(members[2].id(), 3u);
    ASSERT_EQ(members[2].peerurls_size(), 2) << "member " << id;
    EXPECT_EQ(members[2].peerurls(0), "http://10.0.0.3:2380");
    EXPECT_EQ(members[2].peerurls(1), "http://10.0.0.3:2390");
    EXPECT_EQ(c.server(id).conf_state().voters.size(), 3u);
  }
  auto unknown = c.Call(leader, MemberUpdate(9, {"http://10.0.0.9:2380"}));
  EXPECT_EQ(unknown->error(), "etcdserver: member not found");
  auto bad = c.Call(leader, MemberUpdate(2, {"10.0.0.2"}));
  EXPECT_EQ(bad->error(), "etcdserver: given member URLs are invalid");
  auto taken = c.Call(leader, MemberUpdate(2, {"http://10.0.0.3:2390"}));
  EXPECT_EQ(taken->error(), "etcdserver: Peer URLs already exists");
  auto same = c.Call(leader, MemberUpdate(3, {"http://10.0.0.3:2380"}));  // its own URL may stay
  EXPECT_EQ(same->outcome(), serverpb::OUTCOME_OK) << same->error();
  ExpectSameStateEverywhere(c);
}

TEST(Server, EveryRequestEndsInOneOutcomeAcrossALeaderChange) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  // Requests in flight at the leader when it is cut off.
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    serverpb::ClientRequest r = Put("k" + std::to_string(i), "v");
    r.set_id(1000 + i);
    ids.push_back(r.id());
    c.server(leader).Submit(r, c.now_ms());
  }
  c.Isolate(leader);
  const raft::NodeId next = c.WaitForLeader();
  EXPECT_NE(next, leader);
  c.TickFor(4000);  // past the request timeout
  c.Heal();
  c.TickFor(2000);
  c.Collect();
  std::map<uint64_t, int> outcomes;
  for (const auto& r : c.member(leader).responses) {
    ++outcomes[r.id()];
    EXPECT_NE(r.outcome(), serverpb::OUTCOME_OK) << "cut off, nothing could commit";
  }
  for (uint64_t id : ids) EXPECT_EQ(outcomes[id], 1) << "request " << id;
  ExpectSameStateEverywhere(c);
}

TEST(Server, LeaseExpiresThroughTheLeaderNotBeforeItsTtl) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  serverpb::ClientRequest grant;
  grant.mutable_lease_grant()->set_ttl(5);  // raised to the minimum TTL if lower
  auto g = c.Call(leader, grant);
  ASSERT_EQ(g->outcome(), serverpb::OUTCOME_OK) << g->error();
  const int64_t lease = g->lease_grant().id();
  const int64_t ttl_ms = g->lease_grant().ttl() * 1000;
  const int64_t granted_at = c.now_ms();
  ASSERT_EQ(c.Call(leader, Put("owned", "x", lease))->outcome(), serverpb::OUTCOME_OK);
  // Kept alive once, half-way: the key must outlive ttl after that.
  c.TickFor(ttl_ms / 2);
  serverpb::ClientRequest ka;
  ka.mutable_lease_keep_alive()->set_id(lease);
  auto k = c.Call(leader, ka);
  ASSERT_EQ(k->outcome(), serverpb::OUTCOME_OK) << k->error();
  const int64_t renewed_at = c.now_ms();
  while (c.now_ms() < renewed_at + ttl_ms - 200) {
    c.Tick();
    ASSERT_EQ(c.server(leader).kv().Get("owned", c.server(leader).kv().current_revision())
                  != nullptr, true)
        << "key vanished " << c.now_ms() - renewed_at << " ms after the keepalive";
  }
  c.TickFor(3000);
  for (raft::NodeId id : {1, 2, 3}) {
    EXPECT_EQ(c.server(id).kv().Get("owned", c.server(id).kv().current_revision()), nullptr)
        << "member " << id << " still has the key of an expired lease";
  }
  EXPECT_GT(c.now_ms() - granted_at, ttl_ms);
  ExpectSameStateEverywhere(c);
}

TEST(Server, NoSpaceAlarmRefusesPutsButNotReadsOrDeletes) {
  ServerConfig cfg = Base();
  cfg.quota_bytes = 64;
  ServerCluster c(3, cfg);
  const raft::NodeId leader = c.WaitForLeader();
  ASSERT_EQ(c.Call(leader, Put("a", std::string(100, 'x')))->outcome(), serverpb::OUTCOME_OK);
  c.TickFor(500);  // the leader raises the alarm through Raft
  for (raft::NodeId id : {1, 2, 3}) EXPECT_TRUE(c.server(id).nospace()) << "member " << id;
  auto refused = c.Call(leader, Put("b", "y"));
  EXPECT_EQ(refused->outcome(), serverpb::OUTCOME_ERROR);
  EXPECT_EQ(refused->error(), "etcdserver: mvcc: database space exceeded");
  EXPECT_EQ(c.Call(leader, Get("a"))->outcome(), serverpb::OUTCOME_OK);
  serverpb::ClientRequest del;
  del.mutable_delete_range()->set_key("a");
  EXPECT_EQ(c.Call(leader, del)->outcome(), serverpb::OUTCOME_OK);
  serverpb::ClientRequest disarm;
  disarm.mutable_alarm()->set_action(serverpb::ALARM_DEACTIVATE);
  EXPECT_EQ(c.Call(leader, disarm)->outcome(), serverpb::OUTCOME_OK);
  EXPECT_FALSE(c.server(leader).nospace());
}

TEST(Server, MembersRecoverFromWalAndSnapshotsWithTheSameState) {
  ServerCluster c(3, Base());
  raft::NodeId leader = c.WaitForLeader();
  for (int i = 0; i < 60; ++i) {  // enough for several snapshots (every 20 entries)
    auto r = c.Call(leader, Put("k" + std::to_string(i % 7), "v" + std::to_string(i)));
    ASSERT_EQ(r->outcome(), serverpb::OUTCOME_OK) << r->error();
  }
  const raft::NodeId victim = leader == 3 ? 2 : 3;
  c.Crash(victim);
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(c.Call(leader, Put("after", std::to_string(i)))->outcome(), serverpb::OUTCOME_OK);
  }
  c.Start(victim);  // recovers snapshot + WAL, then catches up (snapshot from the leader)
  c.Crash(leader);
  c.Start(leader);
  leader = c.WaitForLeader();
  auto fin = c.Call(leader, Put("final", "x"));
  ASSERT_EQ(fin->outcome(), serverpb::OUTCOME_OK) << fin->error();
  ExpectSameStateEverywhere(c);
  auto get = c.Call(victim, Get("after"));
  ASSERT_TRUE(get.has_value());
  ASSERT_EQ(get->outcome(), serverpb::OUTCOME_OK) << get->error();
  ASSERT_EQ(get->range().kvs_size(), 1) << get->DebugString();
  EXPECT_EQ(get->range().kvs(0).value(), "29");
}

TEST(Server, ADuplicatedForwardIsAppliedOnce) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  const raft::NodeId follower = leader == 1 ? 2 : 1;
  serverpb::ClientRequest r = Put("once", "v");
  r.set_id(77);
  c.server(follower).Submit(r, c.now_ms());
  // Deliver the follower's forwarded MsgProp twice.
  raft::Ready rd = c.server(follower).GetReady();
  ASSERT_FALSE(rd.messages.empty());
  for (const raft::Message& m : rd.messages) {
    if (m.type == raft::MessageType::kProp) {
      c.server(leader).Step(m);
      c.server(leader).Step(m);
    }
  }
  c.server(follower).Advance(rd, c.now_ms());
  c.Settle();
  c.TickFor(500);
  EXPECT_EQ(c.server(leader).kv().current_revision(), 2) << "applied twice";
  ExpectSameStateEverywhere(c);
}

// A member that applies late (etcd's apply loop behind Raft) acknowledges
// the write's entry but answers a linearizable read only once it applied up
// to the read index, and then with the write.
TEST(Server, ALateApplyingMemberServesReadsOnlyAfterApplying) {
  ServerCluster c(3, Base());
  const raft::NodeId leader = c.WaitForLeader();
  const raft::NodeId follower = leader == 1 ? 2 : 1;
  c.DeferApply(follower);
  auto put = c.Call(leader, Put("k", "late"));
  ASSERT_EQ(put->outcome(), serverpb::OUTCOME_OK) << put->error();
  const uint64_t committed = c.server(follower).raw_node().raft().raft_log().committed();
  EXPECT_GE(committed, 2u);
  EXPECT_LT(c.server(follower).consistent_index(), committed);
  EXPECT_FALSE(c.server(follower).deferred().empty());

  auto early = c.Call(follower, Get("k"), /*max_ticks=*/20);
  EXPECT_FALSE(early.has_value()) << "answered before applying the write";
  c.ApplyDeferred(follower);
  c.Collect();
  std::vector<serverpb::ClientResponse>& got = c.member(follower).responses;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].outcome(), serverpb::OUTCOME_OK) << got[0].error();
  ASSERT_EQ(got[0].range().kvs_size(), 1);
  EXPECT_EQ(got[0].range().kvs(0).value(), "late");
  EXPECT_EQ(c.server(follower).kv().current_revision(), c.server(leader).kv().current_revision());
}

}  // namespace
}  // namespace raftlab::server

namespace raftlab::server {
namespace {

// S8.6: a new leader renews every lease (election timeout + TTL from the
// moment it takes over), so a lease kept alive through the old leader never
// expires early because leadership moved; and it still expires in the end.
TEST(Server, LeaseSurvivesALeaderChangeThenExpiresUnderTheNewLeader) {
  ServerCluster c(3, Base());
  const raft::NodeId old_leader = c.WaitForLeader();
  serverpb::ClientRequest grant;
  grant.mutable_lease_grant()->set_ttl(3);
  auto g = c.Call(old_leader, grant);
  ASSERT_EQ(g->outcome(), serverpb::OUTCOME_OK) << g->error();
  const int64_t lease = g->lease_grant().id();
  const int64_t ttl_ms = g->lease_grant().ttl() * 1000;
  ASSERT_EQ(c.Call(old_leader, Put("session", "alive", lease))->outcome(), serverpb::OUTCOME_OK);
  serverpb::ClientRequest ka;
  ka.mutable_lease_keep_alive()->set_id(lease);
  ASSERT_EQ(c.Call(old_leader, ka)->outcome(), serverpb::OUTCOME_OK);
  const int64_t kept_alive_at = c.now_ms();

  c.Isolate(old_leader);
  const raft::NodeId new_leader = c.WaitForLeader();
  ASSERT_NE(new_leader, old_leader);
  const int64_t took_over_at = c.now_ms();
  auto exists = [&] {
    const mvcc::KvStore& kv = c.server(new_leader).kv();
    return kv.Get("session", kv.current_revision()) != nullptr;
  };
  // Never gone before TTL after the last keepalive (S8.7)...
  while (c.now_ms() < kept_alive_at + ttl_ms) {
    ASSERT_TRUE(exists()) << "lease revoked " << c.now_ms() - kept_alive_at
                          << " ms after its keepalive";
    c.Tick();
  }
  // ...nor, after the takeover, before the new leader's renewal runs out.
  const int64_t renewed_until = took_over_at + Base().ElectionTimeoutMs() + ttl_ms;
  while (c.now_ms() < renewed_until - 2 * Base().tick_ms) {
    ASSERT_TRUE(exists()) << "revoked before the renewal on promotion ran out";
    c.Tick();
  }
  c.TickFor(4000);
  EXPECT_FALSE(exists()) << "the new leader never expired the lease";
  c.Heal();
  ExpectSameStateEverywhere(c);
}

}  // namespace
}  // namespace raftlab::server

namespace raftlab::server {
namespace {

// A one-member server restarted over a log whose committed entries follow
// its bootstrap snapshot, as recovery hands them over.
void ApplyAfterRestart(const ServerConfig& config, std::vector<raft::Entry> entries,
                       std::unique_ptr<Server>* out) {
  static Prng prng(1);
  raft::ConfState initial;
  initial.voters = {1};
  Server boot(config, &prng, storage::Recovered{}, initial, 0);
  storage::Recovered r;
  r.snapshot = boot.TakeSnapshotToSave();
  ASSERT_TRUE(r.snapshot.has_value());
  uint64_t index = r.snapshot->metadata.index;
  for (raft::Entry& e : entries) {
    e.index = ++index;
    e.term = 1;
  }
  r.hard_state = raft::HardState{1, 0, index};
  r.entries = std::move(entries);
  *out = std::make_unique<Server>(config, &prng, r, initial, 0);
  while ((*out)->HasReady()) {
    raft::Ready rd = (*out)->GetReady();
    (*out)->Advance(rd, 0);
  }
}

std::vector<raft::Entry> EntriesNoCorrectMemberWrites() {
  raft::Entry garbage;
  garbage.data = "\xff\xff not a request";
  serverpb::InternalRequest put;
  put.set_id(1);
  put.mutable_put()->set_key("k");
  put.mutable_put()->set_value("v");
  raft::Entry good;
  good.data = put.SerializeAsString();
  raft::ConfChangeV2 remove_all;
  remove_all.changes.push_back({raft::ConfChangeType::kRemoveNode, 1});
  raft::Entry conf;
  conf.type = raft::EntryType::kConfChangeV2;
  conf.data = raft::EncodeConfChangeV2(remove_all);
  return {garbage, good, conf};
}

// Found by tests/fuzz/fuzz_server_apply.cc (corpus/server_apply/
// entry-not-an-internal-request): the live runner's members stopped on it.
TEST(Server, LiveMembersRefuseCommittedEntriesThatCannotApply) {
  ServerConfig c = Base();
  c.id = 1;
  c.refuse_bad_entries = true;
  std::unique_ptr<Server> s;
  ApplyAfterRestart(c, EntriesNoCorrectMemberWrites(), &s);
  EXPECT_EQ(s->refused_entries(), 2u);  // the garbage and the removal of every voter
  EXPECT_EQ(s->consistent_index(), 4u);  // all three consumed, after the snapshot at 1
  EXPECT_EQ(s->kv().current_revision(), 2);  // the put between them applied
  EXPECT_EQ(s->conf_state().voters, std::vector<raft::NodeId>{1});
}

// In the simulator, where every member runs this code, such an entry is a
// bug to report, loudly.
TEST(ServerDeathTest, SimulatedMembersStopOnCommittedEntriesThatCannotApply) {
  ServerConfig c = Base();
  c.id = 1;
  std::unique_ptr<Server> s;
  EXPECT_DEATH(ApplyAfterRestart(c, EntriesNoCorrectMemberWrites(), &s),
               "committed entry is not an InternalRequest");
}

}  // namespace
}  // namespace raftlab::server
