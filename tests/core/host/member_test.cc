// core/host/member.h: the Ready cycle both hosts share. A single-member
// cluster on a MemoryFileSystem: what Persist writes is durable only after
// Sync, a crash keeps exactly the synced state, and recovery replays it.
#include <gtest/gtest.h>

#include <memory>

#include "core/backend/file_backend.h"
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

namespace raftlab::host {
namespace {

// A member whose state lives in a FileBackend on the same file system.
struct BackendMember {
  std::unique_ptr<backend::FileBackend> backend;
  std::unique_ptr<Member> member;
};

BackendMember OpenOnBackend(storage::MemoryFileSystem* fs, Prng* prng, uint64_t incarnation,
                            backend::BatchOptions batch) {
  BackendMember out;
  auto b = backend::FileBackend::Open(fs, batch);
  EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message);
  out.backend = std::move(*b);
  server::ServerConfig c = Config(incarnation);
  c.backend = out.backend.get();
  auto m = Member::Open(c, fs, storage::WalOptions{}, prng, OneVoter(), 0);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  out.member = std::move(*m);
  EXPECT_TRUE(out.member->SaveSnapshotTaken().has_value());
  return out;
}

// Issue 23's recovery: the state comes back from the backend's last
// commit, and only the WAL's entries after its consistent index are
// applied: none twice, none skipped, the same store as before the crash.
TEST(Member, ARestartOnABackendReplaysOnlyTheEntriesAfterItsConsistentIndex) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  uint64_t committed_ci = 0;
  uint32_t hash_before = 0;
  uint64_t last_applied = 0;
  {
    // Commits only when told: 10 puts go into a commit, 5 stay in the batch.
    BackendMember m = OpenOnBackend(&fs, &prng, 1, backend::BatchOptions{1'000'000, 1'000'000});
    ElectAlone(*m.member);
    for (int i = 0; i < 10; ++i) {
      m.member->server().Submit(Put(i + 1, "k" + std::to_string(i), "v"), 1000);
      Drive(*m.member, 1000);
    }
    ASSERT_TRUE(m.member->CommitBackend(/*force=*/true).has_value());
    committed_ci = m.member->server().consistent_index();
    for (int i = 10; i < 15; ++i) {
      m.member->server().Submit(Put(i + 1, "k" + std::to_string(i), "v"), 1000);
      Drive(*m.member, 1000);
    }
    EXPECT_GT(m.backend->pending_writes(), 0u);
    hash_before = m.member->server().KvHash();
    last_applied = m.member->server().consistent_index();
  }
  ASSERT_GT(committed_ci, 1u);  // beyond the bootstrap snapshot
  ASSERT_GT(last_applied, committed_ci);
  fs.Crash();  // the WAL is synced; the backend's batch since its commit is lost
  BackendMember again = OpenOnBackend(&fs, &prng, 2, backend::BatchOptions{});
  EXPECT_EQ(again.member->server().consistent_index(), committed_ci);  // loaded, not replayed
  Result<std::optional<raft::Ready>> rd = again.member->Persist();
  ASSERT_TRUE(rd.has_value() && rd->has_value());
  ASSERT_FALSE((*rd)->committed_entries.empty());
  EXPECT_EQ((*rd)->committed_entries.front().index, committed_ci + 1);  // none twice
  EXPECT_EQ((*rd)->committed_entries.back().index, last_applied);       // none skipped
  ASSERT_TRUE(again.member->Sync().has_value());
  again.member->TakeMessages(&**rd);
  ASSERT_TRUE(again.member->Advance(**rd, 0, server::Server::Apply::kNow).has_value());
  EXPECT_EQ(again.member->server().KvHash(), hash_before);
  EXPECT_EQ(again.member->server().kv().current_revision(), 16);
}

}  // namespace
}  // namespace raftlab::host

namespace raftlab::host {
namespace {

serverpb::ClientRequest Request(uint64_t id, const std::string& kind, const std::string& key = "",
                                int64_t n = 0) {
  serverpb::ClientRequest r;
  r.set_id(id);
  if (kind == "delete") r.mutable_delete_range()->set_key(key);
  if (kind == "compact") r.mutable_compaction()->set_revision(n);
  if (kind == "disarm") r.mutable_alarm()->set_action(serverpb::ALARM_DEACTIVATE);
  return r;
}

serverpb::ClientResponse Call(BackendMember& m, serverpb::ClientRequest req, int64_t* now) {
  m.member->server().Submit(req, *now);
  Drive(*m.member, *now);
  for (int i = 0; i < 20; ++i) {  // the alarm is raised through Raft: tick it in
    *now += 100;
    m.member->server().Tick(*now);
    Drive(*m.member, *now);
  }
  std::vector<serverpb::ClientResponse> out = m.member->server().TakeResponses();
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? serverpb::ClientResponse() : out[0];
}

// etcd's way out of NOSPACE: the quota is on the backend's size, which
// deletes and compaction do not shrink but a defragment does; then the
// alarm can be disarmed for good. (On "bytes ever written", the measure
// without a backend, the alarm would come straight back.)
TEST(Member, TheQuotaIsOnTheBackendSizeWhichADefragmentShrinks) {
  storage::MemoryFileSystem fs;
  Prng prng(1);
  server::ServerConfig c = Config(1);
  c.quota_bytes = 8000;
  BackendMember m;
  auto b = backend::FileBackend::Open(&fs, backend::BatchOptions{0, 1});  // commit every Ready
  ASSERT_TRUE(b.has_value());
  m.backend = std::move(*b);
  c.backend = m.backend.get();
  auto opened = Member::Open(c, &fs, storage::WalOptions{}, &prng, OneVoter(), 0);
  ASSERT_TRUE(opened.has_value());
  m.member = std::move(*opened);
  ASSERT_TRUE(m.member->SaveSnapshotTaken().has_value());
  ElectAlone(*m.member);
  int64_t now = 2000;
  ASSERT_EQ(Call(m, Put(1, "big", std::string(10000, 'x')), &now).outcome(), serverpb::OUTCOME_OK);
  ASSERT_TRUE(m.member->server().nospace());
  EXPECT_EQ(Call(m, Put(2, "more", "y"), &now).error(), "etcdserver: mvcc: database space exceeded");
  ASSERT_EQ(Call(m, Request(3, "delete", "big"), &now).outcome(), serverpb::OUTCOME_OK);
  ASSERT_EQ(Call(m, Request(4, "compact", "", m.member->server().kv().current_revision()), &now)
                .outcome(),
            serverpb::OUTCOME_OK);
  EXPECT_GT(m.backend->Size(), c.quota_bytes);  // freed, not given back
  ASSERT_TRUE(m.member->DefragmentBackend().has_value());
  EXPECT_LT(m.backend->Size(), c.quota_bytes);
  ASSERT_EQ(Call(m, Request(5, "disarm"), &now).outcome(), serverpb::OUTCOME_OK);
  EXPECT_EQ(Call(m, Put(6, "small", "y"), &now).outcome(), serverpb::OUTCOME_OK);
  EXPECT_FALSE(m.member->server().nospace());  // and it stays disarmed
}

}  // namespace
}  // namespace raftlab::host
