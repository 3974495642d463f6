// Inflights: the per-follower window of unacknowledged MsgApp messages,
// limited in count and in bytes.
#include "core/raft/inflights.h"

#include <gtest/gtest.h>

#include <deque>
#include <utility>

#include "core/base/prng.h"

namespace raftlab::raft {
namespace {

TEST(Inflights, CountLimit) {
  Inflights in(10, 0);
  for (uint64_t i = 0; i < 10; ++i) {
    EXPECT_FALSE(in.Full()) << i;
    in.Add(i, 100);
  }
  EXPECT_TRUE(in.Full());
  EXPECT_EQ(in.Count(), 10u);
  EXPECT_EQ(in.Bytes(), 1000u);
  EXPECT_DEATH(in.Add(10, 1), "CHECK failed");
}

TEST(Inflights, ByteLimit) {
  Inflights in(10, 100);
  in.Add(1, 40);
  EXPECT_FALSE(in.Full());
  in.Add(2, 40);
  EXPECT_FALSE(in.Full());  // 80 < 100
  in.Add(3, 20);
  EXPECT_TRUE(in.Full());  // 100 bytes: the limit is reached
  EXPECT_EQ(in.Count(), 3u);
  in.FreeLE(1);
  EXPECT_FALSE(in.Full());
  EXPECT_EQ(in.Bytes(), 60u);
  // A single message larger than the limit is allowed; it fills the window.
  Inflights big(10, 100);
  big.Add(1, 500);
  EXPECT_TRUE(big.Full());
  EXPECT_EQ(big.Count(), 1u);
}

TEST(Inflights, FreeLE) {
  Inflights in(10, 0);
  for (uint64_t i = 0; i < 10; ++i) in.Add(i, i);
  in.FreeLE(0);
  EXPECT_EQ(in.Count(), 9u);
  EXPECT_EQ(in.Bytes(), 45u);
  in.FreeLE(4);
  EXPECT_EQ(in.Count(), 5u);  // 5..9 remain
  EXPECT_EQ(in.Bytes(), 5u + 6 + 7 + 8 + 9);
  in.FreeLE(8);
  EXPECT_EQ(in.Count(), 1u);
  EXPECT_EQ(in.Bytes(), 9u);
  // Wrap around the ring.
  for (uint64_t i = 10; i < 19; ++i) in.Add(i, i);
  EXPECT_TRUE(in.Full());
  in.FreeLE(12);
  EXPECT_EQ(in.Count(), 6u);  // 13..18
  EXPECT_EQ(in.Bytes(), 13u + 14 + 15 + 16 + 17 + 18);
  // Below the first index: nothing; beyond the last: everything.
  in.FreeLE(3);
  EXPECT_EQ(in.Count(), 6u);
  in.FreeLE(100);
  EXPECT_EQ(in.Count(), 0u);
  EXPECT_EQ(in.Bytes(), 0u);
  EXPECT_FALSE(in.Full());
}

TEST(Inflights, AddRequiresIncreasingIndex) {
  Inflights in(10, 0);
  in.Add(5, 1);
  EXPECT_DEATH(in.Add(5, 1), "CHECK failed");
  EXPECT_DEATH(in.Add(4, 1), "CHECK failed");
}

TEST(Inflights, Reset) {
  Inflights in(3, 10);
  in.Add(1, 5);
  in.Add(2, 5);
  ASSERT_TRUE(in.Full());
  in.Reset();
  EXPECT_EQ(in.Count(), 0u);
  EXPECT_EQ(in.Bytes(), 0u);
  EXPECT_FALSE(in.Full());
  in.Add(1, 1);  // indexes may start over after a reset
  EXPECT_EQ(in.Count(), 1u);
}

// Random adds and frees against a deque model (seeded; the seed is logged).
TEST(Inflights, MatchesModel) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Prng prng(seed);
    const size_t max_count = 1 + prng.Index(8);
    const uint64_t max_bytes = prng.Chance(Ratio{1, 2}) ? 0 : 1 + prng.Index(200);
    Inflights in(max_count, max_bytes);
    std::deque<std::pair<uint64_t, uint64_t>> model;
    uint64_t next = 1;
    for (int step = 0; step < 500; ++step) {
      uint64_t model_bytes = 0;
      for (const auto& [index, bytes] : model) model_bytes += bytes;
      const bool model_full =
          model.size() == max_count || (max_bytes != 0 && model_bytes >= max_bytes);
      ASSERT_EQ(in.Full(), model_full) << "step " << step;
      ASSERT_EQ(in.Count(), model.size());
      ASSERT_EQ(in.Bytes(), model_bytes);
      if (!model_full && prng.Chance(Ratio{2, 3})) {
        const uint64_t bytes = prng.Index(60);
        next += 1 + prng.Index(3);
        in.Add(next, bytes);
        model.emplace_back(next, bytes);
      } else {
        const uint64_t back = prng.Index(5);
        const uint64_t to = next > back ? next - back : 0;
        in.FreeLE(to);
        while (!model.empty() && model.front().first <= to) model.pop_front();
      }
    }
  }
}

}  // namespace
}  // namespace raftlab::raft
