// The simulator's backend: the contract suite, then what only a simulated
// disk can show: a crash at every byte of a commit and of a defragment,
// bit rot, and device errors.
#include "core/backend/file_backend.h"

#include <gtest/gtest.h>

#include "core/base/check.h"
#include "core/storage/memory_file_system.h"
#include "tests/core/backend/backend_contract.h"

namespace raftlab::backend {
namespace testing {

struct FileHarness {
  storage::MemoryFileSystem fs;
  std::unique_ptr<Backend> Open(BatchOptions options) {
    auto b = FileBackend::Open(&fs, options);
    CHECK_MSG(b.has_value(), b ? "" : b.error().message);
    return std::move(*b);
  }
};

// (gtest wants the instantiation in the suite's own namespace.)
INSTANTIATE_TYPED_TEST_SUITE_P(File, BackendContract, FileHarness);

}  // namespace testing
namespace {

using testing::All;
using testing::Pairs;


// A file system whose Sync and Rename can be made to fail, as the device or
// a crash in the middle of them would: the write happened, its fsync did not.
class FailingFs : public storage::MemoryFileSystem {
 public:
  bool fail_sync = false;
  bool fail_rename = false;
  bool fail_append = false;
  Status Append(const std::string& name, std::string_view data) override {
    if (fail_append) return MakeError(ErrorCode::kIo, name + ": no space left on device");
    return MemoryFileSystem::Append(name, data);
  }
  Status Sync(const std::string& name) override {
    if (fail_sync) return MakeError(ErrorCode::kIo, name + ": fsync: input/output error");
    return MemoryFileSystem::Sync(name);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (fail_rename) return MakeError(ErrorCode::kIo, from + ": rename failed");
    return MemoryFileSystem::Rename(from, to);
  }
};

std::unique_ptr<FileBackend> OpenOn(storage::FileSystem* fs) {
  auto b = FileBackend::Open(fs, BatchOptions{});
  CHECK_MSG(b.has_value(), b ? "" : b.error().message);
  return std::move(*b);
}

// Commits batch 1, then writes batch 2 with its fsync failing (the crash
// comes before it returns); returns batch 2's unsynced bytes.
uint64_t CommitOneAndTearTwo(FailingFs* fs) {
  auto b = OpenOn(fs);
  b->Put(Bucket::kKey, "a", "1");
  b->Put(Bucket::kMeta, "ci", "1");
  CHECK(b->Commit(0).has_value());
  fs->fail_sync = true;
  b->Put(Bucket::kKey, "a", "2");
  b->Put(Bucket::kKey, "b", "2");
  b->Put(Bucket::kMeta, "ci", "2");
  CHECK(!b->Commit(0).has_value());
  fs->fail_sync = false;
  return fs->UnsyncedBytes(kBackendFile);
}

TEST(FileBackend, ACrashAtEveryByteOfACommitKeepsWholeBatchesOnly) {
  // Batch 1 is durable; the crash keeps any prefix of batch 2: recovery
  // holds batch 1, or batches 1 and 2 when all of 2 reached the disk,
  // never a part of 2.
  FailingFs probe;
  const uint64_t torn_max = CommitOneAndTearTwo(&probe);
  ASSERT_GT(torn_max, 0u);
  const Pairs one = {{"a", "1"}};
  const Pairs two = {{"a", "2"}, {"b", "2"}};
  for (uint64_t keep = 0; keep <= torn_max; ++keep) {
    SCOPED_TRACE("kept " + std::to_string(keep) + " unsynced bytes");
    FailingFs fs;
    ASSERT_EQ(CommitOneAndTearTwo(&fs), torn_max);
    fs.Crash(keep);
    auto b = OpenOn(&fs);
    const bool whole = keep == torn_max;
    EXPECT_EQ(All(*b, Bucket::kKey), whole ? two : one);
    EXPECT_EQ(b->Get(Bucket::kMeta, "ci"), whole ? "2" : "1");  // always with its data
    EXPECT_EQ(b->notes().size(), keep > 0 && !whole ? 1u : 0u);
    // And it goes on from there.
    b->Put(Bucket::kKey, "c", "3");
    ASSERT_TRUE(b->Commit(0).has_value());
    EXPECT_EQ(OpenOn(&fs)->Get(Bucket::kKey, "c"), "3");
  }
}

TEST(FileBackend, ACrashInsideDefragmentKeepsTheOldFileOrTheNewOne) {
  for (bool renamed : {false, true}) {
    SCOPED_TRACE(renamed ? "after the rename" : "before the rename");
    FailingFs fs;
    {
      auto b = OpenOn(&fs);
      for (int i = 0; i < 20; ++i) b->Put(Bucket::kKey, "k" + std::to_string(i), "v");
      ASSERT_TRUE(b->Commit(0).has_value());
      for (int i = 0; i < 15; ++i) b->Delete(Bucket::kKey, "k" + std::to_string(i));
      ASSERT_TRUE(b->Commit(0).has_value());
      fs.fail_rename = !renamed;
      EXPECT_EQ(b->Defragment(0).has_value(), renamed);
    }
    fs.Crash();
    fs.fail_rename = false;
    auto b = OpenOn(&fs);
    EXPECT_EQ(All(*b, Bucket::kKey).size(), 5u);
    EXPECT_FALSE(fs.Exists("backend.db.defrag"));
  }
}

TEST(FileBackend, BitRotInsideTheFileIsRefusedWithItsOffset) {
  storage::MemoryFileSystem fs;
  {
    auto b = OpenOn(&fs);
    b->Put(Bucket::kKey, "a", "1");
    ASSERT_TRUE(b->Commit(0).has_value());
    b->Put(Bucket::kKey, "b", "2");
    ASSERT_TRUE(b->Commit(0).has_value());
  }
  ASSERT_TRUE(fs.FlipBits(kBackendFile, 20, 0x04).has_value());  // inside the first record
  auto b = FileBackend::Open(&fs, BatchOptions{});
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, ErrorCode::kCorruption);
  EXPECT_NE(b.error().message.find("backend.db at offset 0"), std::string::npos)
      << b.error().message;
}

TEST(FileBackend, ADeviceErrorFailsTheCommitAndKeepsTheBatch) {
  FailingFs fs;
  auto b = OpenOn(&fs);
  fs.fail_append = true;
  b->Put(Bucket::kKey, "a", "1");
  Status s = b->Commit(0);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_EQ(b->pending_writes(), 1u);  // nothing was taken as committed
  EXPECT_EQ(b->Get(Bucket::kKey, "a"), "1");
}

}  // namespace
}  // namespace raftlab::backend
