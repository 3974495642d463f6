// Recovery = newest valid snapshot + WAL replay, giving back exactly the
// durable state a Raft node had; and a restarted RawNode built from it.
#include "core/storage/recovery.h"

#include <gtest/gtest.h>

#include "core/base/prng.h"
#include "core/raft/raw_node.h"
#include "core/storage/memory_file_system.h"
#include "core/storage/snapshot_file.h"

namespace raftlab::storage {
namespace {

using raft::Entry;
using raft::HardState;

Entry E(uint64_t term, uint64_t index) {
  return Entry{term, index, raft::EntryType::kNormal, "v" + std::to_string(index)};
}

TEST(Recovery, SnapshotPlusReplayGivesTheDurableState) {
  MemoryFileSystem fs;
  std::optional<Wal> wal;
  Result<Recovered> fresh = Recover(&fs, WalOptions{128}, &wal);
  ASSERT_TRUE(fresh.has_value());
  for (uint64_t i = 1; i <= 30; ++i) ASSERT_TRUE(wal->Save(HardState{2, 1, i - 1}, {E(2, i)}));
  ASSERT_TRUE(wal->Sync());
  raft::Snapshot snap;
  snap.metadata = {raft::ConfState{{1, 2, 3}, {}, {}, {}, false}, 20, 2};
  snap.data = "image@20";
  ASSERT_TRUE(SaveSnapshot(&fs, snap));
  ASSERT_TRUE(wal->ReleaseTo(20));
  ASSERT_TRUE(wal->Save(HardState{2, 1, 30}, {E(2, 31)}));  // lost: never synced
  fs.Crash();

  Result<Recovered> r = Recover(&fs, WalOptions{128}, &wal);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_TRUE(r->snapshot.has_value());
  EXPECT_EQ(r->snapshot->data, "image@20");
  EXPECT_EQ(r->hard_state, (HardState{2, 1, 29}));
  ASSERT_EQ(r->entries.size(), 10u);
  EXPECT_EQ(r->entries.front().index, 21u);
  EXPECT_EQ(r->entries.back().index, 30u);

  // A node restarted from it sees the same log.
  raft::MemoryStorage storage;
  LoadInto(*r, &storage);
  EXPECT_EQ(storage.FirstIndex(), 21u);
  EXPECT_EQ(storage.LastIndex(), 30u);
  Prng prng(1);
  raft::Config c;
  c.id = 1;
  c.storage = &storage;
  c.prng = &prng;
  c.applied = 20;
  raft::RawNode node(c);
  EXPECT_EQ(node.raft().term(), 2u);
  EXPECT_EQ(node.raft().raft_log().committed(), 29u);
}

TEST(Recovery, ADamagedNewestSnapshotFallsBackAndSaysSo) {
  MemoryFileSystem fs;
  std::optional<Wal> wal;
  ASSERT_TRUE(Recover(&fs, WalOptions{}, &wal).has_value());
  for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(wal->Save(HardState{1, 1, i}, {E(1, i)}));
  ASSERT_TRUE(wal->Sync());
  raft::Snapshot s5;
  s5.metadata = {raft::ConfState{{1}, {}, {}, {}, false}, 5, 1};
  raft::Snapshot s8 = s5;
  s8.metadata.index = 8;
  ASSERT_TRUE(SaveSnapshot(&fs, s5));
  ASSERT_TRUE(SaveSnapshot(&fs, s8));
  ASSERT_TRUE(fs.FlipBits(SnapshotFileName(1, 8), 30, 0x01));
  Result<Recovered> r = Recover(&fs, WalOptions{}, nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->snapshot->metadata.index, 5u);
  EXPECT_EQ(r->entries.size(), 5u);  // 6..10 replayed from the WAL
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("checksum"), std::string::npos) << r->notes[0];
}

TEST(Recovery, ACommitIndexBeyondTheRecoveredLogIsCorruption) {
  MemoryFileSystem fs;
  std::optional<Wal> wal;
  ASSERT_TRUE(Recover(&fs, WalOptions{}, &wal).has_value());
  ASSERT_TRUE(wal->Save(HardState{1, 1, 5}, {E(1, 1)}));
  ASSERT_TRUE(wal->Sync());
  Result<Recovered> r = Recover(&fs, WalOptions{}, nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("beyond the last recovered entry"), std::string::npos);
  // It names the file and offset of the hard state that claims the commit,
  // as every other WAL error does (found by fuzz_wal_recovery).
  EXPECT_EQ(r.error().message.rfind("WAL segment " + Wal::SegmentName(0) + " at offset ", 0), 0u)
      << r.error().message;
}

}  // namespace
}  // namespace raftlab::storage
