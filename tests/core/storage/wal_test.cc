// The WAL: what comes back after reopening, after crashes that lose unsynced
// writes or tear the tail, and what is refused when bytes are damaged.
#include "core/storage/wal.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "core/storage/memory_file_system.h"

namespace raftlab::storage {
namespace {

using raft::Entry;
using raft::HardState;

Entry E(uint64_t term, uint64_t index, std::string data = "") {
  return Entry{term, index, raft::EntryType::kNormal, data.empty() ? "d" + std::to_string(index)
                                                                   : data};
}

Wal OpenOrDie(MemoryFileSystem* fs, WalContents* c, uint64_t snap = 0, uint64_t seg = 1 << 20) {
  Result<Wal> w = Wal::Open(fs, WalOptions{seg}, snap, c);
  EXPECT_TRUE(w.has_value()) << (w ? "" : w.error().message);
  return std::move(*w);
}

TEST(Wal, ReopenReturnsSyncedHardStateAndEntries) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c);
  EXPECT_TRUE(c.entries.empty());
  ASSERT_TRUE(w.Save(HardState{1, 1, 0}, {E(1, 1), E(1, 2)}));
  ASSERT_TRUE(w.Save(HardState{1, 1, 2}, {E(1, 3)}));
  ASSERT_TRUE(w.Sync());
  OpenOrDie(&fs, &c);
  EXPECT_EQ(c.hard_state, (HardState{1, 1, 2}));
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_EQ(c.entries[2], E(1, 3));
}

TEST(Wal, LaterEntriesOverwriteASuffixOnReplay) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c);
  ASSERT_TRUE(w.Save(HardState{1, 1, 1}, {E(1, 1), E(1, 2), E(1, 3)}));
  ASSERT_TRUE(w.Save(HardState{2, 2, 1}, {E(2, 2, "new")}));  // a new leader's entry 2
  ASSERT_TRUE(w.Sync());
  OpenOrDie(&fs, &c);
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_EQ(c.entries[1], E(2, 2, "new"));
}

TEST(Wal, CrashLosesExactlyTheUnsyncedWrites) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c);
  ASSERT_TRUE(w.Save(HardState{1, 1, 1}, {E(1, 1)}));
  ASSERT_TRUE(w.Sync());
  ASSERT_TRUE(w.Save(HardState{1, 1, 2}, {E(1, 2)}));  // never synced
  fs.Crash();
  OpenOrDie(&fs, &c);
  EXPECT_EQ(c.hard_state, (HardState{1, 1, 1}));
  ASSERT_EQ(c.entries.size(), 1u);
}

TEST(Wal, TruncatingTheLastRecordAtEveryByteRecoversThePrefix) {
  MemoryFileSystem base;
  WalContents c;
  Wal w = OpenOrDie(&base, &c);
  ASSERT_TRUE(w.Save(HardState{}, {E(1, 1), E(1, 2)}));
  ASSERT_TRUE(w.Sync());
  const std::string name = w.segments().back();
  const uint64_t before_last = base.Read(name)->size();
  ASSERT_TRUE(w.Save(HardState{}, {E(1, 3, "the last record")}));
  ASSERT_TRUE(w.Sync());
  const std::string full = *base.Read(name);
  for (uint64_t cut = before_last; cut < full.size(); ++cut) {
    MemoryFileSystem fs = base;
    ASSERT_TRUE(fs.Truncate(name, cut));
    ASSERT_TRUE(fs.Sync(name));
    Result<Wal> reopened = Wal::Open(&fs, WalOptions{}, 0, &c);
    ASSERT_TRUE(reopened.has_value()) << "cut at " << cut << ": " << reopened.error().message;
    ASSERT_EQ(c.entries.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(c.repaired_bytes, cut - before_last);
    EXPECT_EQ(fs.Read(name)->size(), before_last) << "the torn tail is cut off";
    // The repaired WAL accepts new records and reads them back.
    ASSERT_TRUE(reopened->Save(HardState{}, {E(1, 3)}));
    ASSERT_TRUE(reopened->Sync());
    OpenOrDie(&fs, &c);
    EXPECT_EQ(c.entries.size(), 3u);
  }
}

TEST(Wal, EverySingleBitFlipIsRefusedWithSegmentAndOffset) {
  MemoryFileSystem base;
  WalContents c;
  Wal w = OpenOrDie(&base, &c);
  ASSERT_TRUE(w.Save(HardState{1, 1, 1}, {E(1, 1), E(1, 2, "xyz")}));
  ASSERT_TRUE(w.Sync());
  const std::string name = w.segments().back();
  const size_t size = base.Read(name)->size();
  for (size_t bit = 0; bit < size * 8; ++bit) {
    MemoryFileSystem fs = base;
    ASSERT_TRUE(fs.FlipBits(name, bit / 8, static_cast<uint8_t>(1 << (bit % 8))));
    Result<Wal> reopened = Wal::Open(&fs, WalOptions{}, 0, &c);
    ASSERT_FALSE(reopened.has_value()) << "bit " << bit << " went unnoticed";
    EXPECT_EQ(reopened.error().code, ErrorCode::kCorruption);
    EXPECT_NE(reopened.error().message.find("WAL segment " + name + " at offset "),
              std::string::npos)
        << reopened.error().message;
  }
}

TEST(Wal, SegmentsChainAndReleaseKeepsTheHardState) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c, 0, /*segment_bytes=*/64);
  ASSERT_TRUE(w.Save(HardState{3, 1, 0}, {}));
  for (uint64_t i = 1; i <= 20; ++i) ASSERT_TRUE(w.Save(HardState{3, 1, i}, {E(3, i)}));
  ASSERT_TRUE(w.Sync());
  ASSERT_GT(w.segments().size(), 3u);
  ASSERT_TRUE(w.ReleaseTo(12));  // a snapshot covers 1..12
  OpenOrDie(&fs, &c, 12, 64);
  EXPECT_EQ(c.hard_state, (HardState{3, 1, 20}));
  ASSERT_EQ(c.entries.size(), 8u);
  EXPECT_EQ(c.entries.front().index, 13u);
}

TEST(Wal, AMissingMiddleSegmentIsRefused) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c, 0, 64);
  for (uint64_t i = 1; i <= 20; ++i) ASSERT_TRUE(w.Save(HardState{}, {E(1, i)}));
  ASSERT_TRUE(w.Sync());
  const std::vector<std::string> segments = w.segments();
  ASSERT_GE(segments.size(), 3u);
  ASSERT_TRUE(fs.Remove(segments[1]));
  Result<Wal> reopened = Wal::Open(&fs, WalOptions{64}, 0, &c);
  ASSERT_FALSE(reopened.has_value());
  EXPECT_NE(reopened.error().message.find(segments[2]), std::string::npos)
      << reopened.error().message;
}

TEST(Wal, AnInstalledSnapshotDiscardsTheStaleTailOnReplay) {
  MemoryFileSystem fs;
  WalContents c;
  Wal w = OpenOrDie(&fs, &c);
  // Entries 8..10 from term 3; then the leader's snapshot at (9, term 5)
  // replaces the log. Stale entry 10 (term 3) must not come back.
  ASSERT_TRUE(w.Save(HardState{3, 1, 7}, {E(3, 8), E(3, 9), E(3, 10)}));
  ASSERT_TRUE(w.SaveSnapshotInstalled(9, 5));
  ASSERT_TRUE(w.Save(HardState{5, 0, 9}, {}));
  ASSERT_TRUE(w.Sync());
  OpenOrDie(&fs, &c, /*snapshot index=*/9);
  EXPECT_TRUE(c.entries.empty());
  ASSERT_TRUE(w.Save(HardState{}, {E(5, 10, "fresh")}));
  ASSERT_TRUE(w.Sync());
  OpenOrDie(&fs, &c, 9);
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0], E(5, 10, "fresh"));
}

// The WAL against a reference: after any sequence of saves (with suffix
// overwrites), syncs and crashes, reopening yields exactly the synced state.
RC_GTEST_PROP(Wal, ReplayEqualsTheSyncedReferenceLog, ()) {
  MemoryFileSystem fs;
  WalContents c;
  Result<Wal> w = Wal::Open(&fs, WalOptions{*rc::gen::inRange<uint64_t>(40, 400)}, 0, &c);
  RC_ASSERT(w.has_value());
  std::vector<Entry> log;     // reference: what was saved
  std::vector<Entry> synced;  // reference: what is durable
  HardState hs;
  HardState synced_hs;
  uint64_t term = 1;
  const int steps = *rc::gen::inRange(1, 60);
  for (int s = 0; s < steps; ++s) {
    const int op = *rc::gen::inRange(0, 10);
    if (op < 6) {
      // Append 1-3 entries, sometimes overwriting a suffix (a new leader).
      uint64_t from = log.size() + 1;
      if (op == 5 && !log.empty()) from = *rc::gen::inRange<uint64_t>(1, log.size() + 1);
      if (op == 5) ++term;
      log.resize(from - 1);
      std::vector<Entry> batch;
      const int n = *rc::gen::inRange(1, 4);
      for (int i = 0; i < n; ++i) batch.push_back(E(term, from + i));
      log.insert(log.end(), batch.begin(), batch.end());
      hs = HardState{term, 1, 0};
      RC_ASSERT(w->Save(hs, batch).has_value());
    } else if (op < 9) {
      RC_ASSERT(w->Sync().has_value());
      synced = log;
      synced_hs = hs;
    } else {
      fs.Crash();
      w = Wal::Open(&fs, WalOptions{*rc::gen::inRange<uint64_t>(40, 400)}, 0, &c);
      RC_ASSERT(w.has_value());
      RC_ASSERT(c.entries == synced);
      RC_ASSERT(c.hard_state == synced_hs);
      log = synced;
      hs = synced_hs;
    }
  }
}

}  // namespace
}  // namespace raftlab::storage
