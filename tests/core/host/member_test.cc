// core/host/member.h: the Ready cycle both hosts share. A single-member
// cluster on a MemoryFileSystem: what Persist writes is durable only after
// Sync, a crash keeps exactly the synced state, and recovery replays it.
#include <gtest/gtest.h>

#include <memory>

#include "core/host/member.h"
#include "core/storage/memory_file_system.h"

namespace raftlab::host {
namespace {

server::ServerConfig Config(uint64_t incarnation) {
  server::ServerConfig c;
  c.id = 1;
  c.incarnation = incarnation;
  c.election_tick = 2;
  c.heartbeat_tick = 1;
  return c;
}

raft::ConfState OneVoter() {
  raft::ConfState cs;
  cs.voters = {1};
  return cs;
}

std::unique_ptr<Member> OpenMember(storage::MemoryFileSystem* fs, Prng* prng, uint64_t incarnation) {
  Result<std::unique_ptr<Member>> m =
      Member::Open(Config(incarnation), fs, storage::WalOptions{}, prng, OneVoter(), 0);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  EXPECT_TRUE((*m)->SaveSnapshotTaken().has_value());
  return std::move(*m);
}

// Runs Ready cycles (persist, sync, send nowhere, apply) until none is left.
void Drive(Member& m, int64_t now_ms) {
  for (int i = 0; i < 100; ++i) {
    Result<std::optional<raft::Ready>> rd = m.Persist();
    ASSERT_TRUE(rd.has_value());
    if (!rd->has_value()) return;
    ASSERT_TRUE(m.Sync().has_value());
    m.TakeMessages(&**rd);
    ASSERT_TRUE(m.Advance(**rd, now_ms, server::Server::Apply::kNow).has_value());
  }
}

void ElectAlone(Member& m) {
  for (int64_t t = 1; t <= 10 && m.server().raw_node().raft().state() != raft::StateRole::kLeader;
       ++t) {
    m.server().Tick(t * 100);
    Drive(m, t * 100);
  }
  ASSERT_EQ(m.server().raw_node().raft().state(), raft::StateRole::kLeader);
}

serverpb::ClientRequest Put(uint64_t id, const std::string& key, const std::string& value) {
  serverpb::ClientRequest r;
  r.set_id(id);
  r.mutable_put()->set_key(key);
  r.mutable_put()->set_value(value);
  return r;
}

TEST(Member, AnAcknowledgedPutSurvivesACrash) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  {
    std::unique_ptr<Member> m = OpenMember(&fs, &prng, 1);
    ElectAlone(*m);
    m->server().Submit(Put(7, "k", "v"), 1000);
    Drive(*m, 1000);
    const std::vector<serverpb::ClientResponse> out = m->server().TakeResponses();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].outcome(), serverpb::OUTCOME_OK);
  }
  fs.Crash();  // only what was synced survives
  std::unique_ptr<Member> again = OpenMember(&fs, &prng, 2);
  Drive(*again, 0);  // the committed entries in the WAL are applied again
  EXPECT_EQ(again->server().kv().current_revision(), 2);
}

TEST(Member, WhatIsNotSyncedIsLostInACrash) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  uint64_t last_index = 0;
  {
    std::unique_ptr<Member> m = OpenMember(&fs, &prng, 1);
    ElectAlone(*m);
    last_index = m->server().raw_node().raft().raft_log().LastIndex();
    m->server().Submit(Put(7, "k", "v"), 1000);
    Result<std::optional<raft::Ready>> rd = m->Persist();
    ASSERT_TRUE(rd.has_value() && rd->has_value());
    ASSERT_FALSE((*rd)->entries.empty());
    // The process dies between persisting and the fsync.
  }
  fs.Crash();
  std::unique_ptr<Member> again = OpenMember(&fs, &prng, 2);
  Drive(*again, 0);
  EXPECT_EQ(again->server().raw_node().raft().raft_log().LastIndex(), last_index);
  EXPECT_EQ(again->server().kv().current_revision(), 1);
}

TEST(Member, MessagesLeaveOnlyAfterTheSync) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  std::unique_ptr<Member> m = OpenMember(&fs, &prng, 1);
  m->server().Tick(100);
  m->server().Tick(200);
  m->server().Tick(300);
  Result<std::optional<raft::Ready>> rd = m->Persist();
  ASSERT_TRUE(rd.has_value() && rd->has_value());
  EXPECT_DEATH(m->TakeMessages(&**rd), "CHECK failed");
}

TEST(Member, ADamagedWalIsRefusedWithItsFileAndOffset) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  {
    std::unique_ptr<Member> m = OpenMember(&fs, &prng, 1);
    ElectAlone(*m);
    for (int i = 0; i < 3; ++i) m->server().Submit(Put(10 + i, "k", "v"), 1000);
    Drive(*m, 1000);
  }
  std::string wal;
  for (const std::string& name : fs.List()) {
    if (name.rfind("wal-", 0) == 0) wal = name;
  }
  ASSERT_FALSE(wal.empty());
  ASSERT_TRUE(fs.FlipBits(wal, 40, 0x10).has_value());
  Result<std::unique_ptr<Member>> m =
      Member::Open(Config(2), &fs, storage::WalOptions{}, &prng, OneVoter(), 0);
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message.find(wal), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("offset"), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace raftlab::host
