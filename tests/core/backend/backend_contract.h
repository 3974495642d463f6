// The contract of core/backend/backend.h, as a type-parameterized suite that
// every backend instantiates: the simulator's FileBackend
// (tests/core/backend/file_backend_test.cc) and the live runner's
// LmdbBackend (tests/runner/lmdb_backend_test.cc). A harness type H gives
//   std::unique_ptr<backend::Backend> H::Open(backend::BatchOptions)
// over the same storage every time, so dropping a backend and opening
// another is a restart (an uncommitted batch is lost, as in a crash).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/backend/backend.h"

namespace raftlab::backend::testing {

using Pairs = std::vector<std::pair<std::string, std::string>>;

inline Pairs All(const Backend& b, Bucket bucket, std::string_view start = "",
                 std::string_view end = "") {
  Pairs out;
  b.Range(bucket, start, end, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

template <class H>
class BackendContract : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> Open(BatchOptions options = {}) { return harness_.Open(options); }
  H harness_;
};

TYPED_TEST_SUITE_P(BackendContract);

TYPED_TEST_P(BackendContract, IteratesInByteOrderOverTheBatchAndTheStore) {
  auto b = this->Open();
  const std::string nul(1, '\0');
  for (const std::string& k : {std::string("b"), std::string("\xff"), std::string("a") + nul,
                               std::string("a"), nul}) {
    b->Put(Bucket::kKey, k, "v" + k);
  }
  ASSERT_TRUE(b->Commit(0).has_value());
  b->Put(Bucket::kKey, "ab", "batched");   // in the batch only
  b->Put(Bucket::kKey, "b", "rewritten");  // overrides a committed key
  b->Delete(Bucket::kKey, "a");            // hides one
  const Pairs want = {{nul, "v" + nul}, {"a" + nul, "va" + nul}, {"ab", "batched"},
                      {"b", "rewritten"}, {"\xff", "v\xff"}};
  EXPECT_EQ(All(*b, Bucket::kKey), want);
  EXPECT_EQ(All(*b, Bucket::kKey, "a", "b"), (Pairs{{"a" + nul, "va" + nul}, {"ab", "batched"}}));
  Pairs first_two;
  b->Range(Bucket::kKey, "", "", [&](std::string_view k, std::string_view v) {
    first_two.emplace_back(std::string(k), std::string(v));
    return first_two.size() < 2;
  });
  EXPECT_EQ(first_two, Pairs(want.begin(), want.begin() + 2));
  EXPECT_TRUE(All(*b, Bucket::kLease).empty());  // buckets are apart
}

TYPED_TEST_P(BackendContract, ReadsSeeTheBatchAndARestartLosesIt) {
  {
    auto b = this->Open();
    b->Put(Bucket::kKey, "kept", "1");
    ASSERT_TRUE(b->Commit(0).has_value());
    b->Put(Bucket::kKey, "lost", "2");
    b->Delete(Bucket::kKey, "kept");
    EXPECT_EQ(b->Get(Bucket::kKey, "lost"), "2");
    EXPECT_EQ(b->Get(Bucket::kKey, "kept"), std::nullopt);
    EXPECT_EQ(b->pending_writes(), 2u);
  }
  auto b = this->Open();
  EXPECT_EQ(b->Get(Bucket::kKey, "kept"), "1");
  EXPECT_EQ(b->Get(Bucket::kKey, "lost"), std::nullopt);
}

TYPED_TEST_P(BackendContract, ACommitHoldsTheDataAndTheMetaTogether) {
  {
    auto b = this->Open();
    for (int i = 0; i < 100; ++i) b->Put(Bucket::kKey, "k" + std::to_string(i), std::string(100, 'x'));
    b->Put(Bucket::kMeta, "consistent_index", "100");
    ASSERT_TRUE(b->Commit(0).has_value());
    EXPECT_EQ(b->commits(), 1u);
    EXPECT_EQ(b->pending_writes(), 0u);
  }
  auto b = this->Open();
  EXPECT_EQ(b->Get(Bucket::kMeta, "consistent_index"), "100");
  EXPECT_EQ(All(*b, Bucket::kKey).size(), 100u);
}

TYPED_TEST_P(BackendContract, CommitsWhenTheBatchIsFullOrHasWaitedAnInterval) {
  auto b = this->Open(BatchOptions{/*interval_ms=*/100, /*limit=*/3});
  ASSERT_TRUE(b->MaybeCommit(1000).has_value());  // empty: opens the window
  b->Put(Bucket::kKey, "a", "1");
  b->Put(Bucket::kKey, "b", "1");
  ASSERT_TRUE(b->MaybeCommit(1050).has_value());
  EXPECT_EQ(b->commits(), 0u);
  ASSERT_TRUE(b->MaybeCommit(1100).has_value());  // one interval after the window opened
  EXPECT_EQ(b->commits(), 1u);
  for (const char* k : {"c", "d", "e"}) b->Put(Bucket::kKey, k, "1");
  ASSERT_TRUE(b->MaybeCommit(1101).has_value());  // the limit
  EXPECT_EQ(b->commits(), 2u);
  EXPECT_EQ(b->pending_writes(), 0u);
}

TYPED_TEST_P(BackendContract, DeletesFreeSpaceThatOnlyDefragmentGivesBack) {
  auto b = this->Open();
  const std::string value(2000, 'v');
  for (int i = 0; i < 500; ++i) b->Put(Bucket::kKey, "k" + std::to_string(1000 + i), value);
  ASSERT_TRUE(b->Commit(0).has_value());
  const int64_t full = b->Size();
  EXPECT_GE(full, 500 * 2000);
  EXPECT_LE(b->SizeInUse(), full);
  for (int i = 0; i < 450; ++i) b->Delete(Bucket::kKey, "k" + std::to_string(1000 + i));
  ASSERT_TRUE(b->Commit(0).has_value());
  EXPECT_GE(b->Size(), full);            // the file does not shrink
  EXPECT_LT(b->SizeInUse(), full / 4);   // but most of it is free
  const int64_t in_use = b->SizeInUse();
  ASSERT_TRUE(b->Defragment(0).has_value());
  EXPECT_LT(b->Size(), full / 4);
  EXPECT_LE(b->Size(), in_use + 64 * 1024);  // about what was in use (LMDB: whole pages)
  EXPECT_EQ(All(*b, Bucket::kKey).size(), 50u);
}

TYPED_TEST_P(BackendContract, DefragmentKeepsEveryKeyAndCommitsTheBatch) {
  {
    auto b = this->Open();
    b->Put(Bucket::kKey, "a", "1");
    ASSERT_TRUE(b->Commit(0).has_value());
    b->Put(Bucket::kKey, "a", "2");
    b->Put(Bucket::kLease, "l", "3");
    b->Put(Bucket::kMeta, "m", "4");
    ASSERT_TRUE(b->Defragment(0).has_value());
    EXPECT_EQ(b->pending_writes(), 0u);
    b->Put(Bucket::kKey, "after", "5");
    ASSERT_TRUE(b->Commit(0).has_value());
  }
  auto b = this->Open();
  EXPECT_EQ(All(*b, Bucket::kKey), (Pairs{{"a", "2"}, {"after", "5"}}));
  EXPECT_EQ(b->Get(Bucket::kLease, "l"), "3");
  EXPECT_EQ(b->Get(Bucket::kMeta, "m"), "4");
}

REGISTER_TYPED_TEST_SUITE_P(BackendContract, IteratesInByteOrderOverTheBatchAndTheStore,
                            ReadsSeeTheBatchAndARestartLosesIt,
                            ACommitHoldsTheDataAndTheMetaTogether,
                            CommitsWhenTheBatchIsFullOrHasWaitedAnInterval,
                            DeletesFreeSpaceThatOnlyDefragmentGivesBack,
                            DefragmentKeepsEveryKeyAndCommitsTheBatch);

}  // namespace raftlab::backend::testing
