// Snapshot files: round trip, atomic save, and damaged files skipped (never used).
#include "core/storage/snapshot_file.h"

#include <gtest/gtest.h>

#include "core/storage/memory_file_system.h"

namespace raftlab::storage {
namespace {

raft::Snapshot Snap(uint64_t term, uint64_t index, std::string data) {
  raft::Snapshot s;
  s.metadata.term = term;
  s.metadata.index = index;
  s.metadata.conf_state.voters = {1, 2, 3};
  s.metadata.conf_state.learners = {4};
  s.data = std::move(data);
  return s;
}

TEST(SnapshotFile, SaveThenLoadReturnsTheSameSnapshot) {
  MemoryFileSystem fs;
  const raft::Snapshot s = Snap(2, 10, "state machine image");
  ASSERT_TRUE(SaveSnapshot(&fs, s));
  EXPECT_TRUE(fs.Exists("snap-0000000000000002-000000000000000a.snap"));
  EXPECT_FALSE(fs.Exists("tmp-snap-0000000000000002-000000000000000a.snap"));
  fs.Crash();  // the rename made it durable
  std::vector<std::string> skipped;
  auto loaded = LoadNewestSnapshot(fs, &skipped);
  ASSERT_TRUE(loaded.has_value());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, s);
  EXPECT_TRUE(skipped.empty());
}

TEST(SnapshotFile, NewestValidWinsAndEveryDamagedByteIsSkipped) {
  MemoryFileSystem base;
  ASSERT_TRUE(SaveSnapshot(&base, Snap(1, 5, "old")));
  ASSERT_TRUE(SaveSnapshot(&base, Snap(2, 9, "new")));
  const std::string newest = SnapshotFileName(2, 9);
  const size_t size = base.Read(newest)->size();
  for (size_t byte = 0; byte < size; ++byte) {
    MemoryFileSystem fs = base;
    ASSERT_TRUE(fs.FlipBits(newest, byte, 0x10));
    std::vector<std::string> skipped;
    auto loaded = LoadNewestSnapshot(fs, &skipped);
    ASSERT_TRUE(loaded.has_value());
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ((*loaded)->metadata.index, 5u) << "damaged byte " << byte << " was accepted";
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_NE(skipped[0].find(newest), std::string::npos);
  }
}

TEST(SnapshotFile, ReleaseKeepsTheNewest) {
  MemoryFileSystem fs;
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(SaveSnapshot(&fs, Snap(1, i * 10, "x")));
  ASSERT_TRUE(ReleaseSnapshots(&fs, 2));
  EXPECT_EQ(fs.List(), (std::vector<std::string>{SnapshotFileName(1, 40),
                                                  SnapshotFileName(1, 50)}));
}

TEST(SnapshotFile, DecodeNamesWhatIsWrong) {
  EXPECT_NE(DecodeSnapshotFile("f", "short").error().message.find("shorter than its header"),
            std::string::npos);
  std::string bytes = EncodeSnapshotFile(Snap(1, 1, "x"));
  bytes[0] = 'X';
  EXPECT_NE(DecodeSnapshotFile("f", bytes).error().message.find("bad magic"), std::string::npos);
}

}  // namespace
}  // namespace raftlab::storage
