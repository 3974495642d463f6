// Prng: reference vectors of the published algorithms, range reduction bounds
// and rough uniformity, and stream independence after Split.
#include "core/base/prng.h"

#include <array>
#include <set>

#include <gtest/gtest.h>

namespace raftlab {
namespace {

TEST(Prng, SplitMix64MatchesReferenceVector) {
  // First outputs of splitmix64 seeded with 0, from the reference implementation.
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(&state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(&state), 0x06c45d188009454fULL);
}

TEST(Prng, Xoshiro256StarStarMatchesReferenceVector) {
  // xoshiro256** from state {1, 2, 3, 4}, as printed by the reference C code.
  Prng prng = Prng::FromState(1, 2, 3, 4);
  EXPECT_EQ(prng.Next(), 11520u);
  EXPECT_EQ(prng.Next(), 0u);
  EXPECT_EQ(prng.Next(), 1509978240u);
  EXPECT_EQ(prng.Next(), 1215971899390074240u);
}

TEST(Prng, SameSeedSameSequenceDifferentSeedDifferentSequence) {
  Prng a(42);
  Prng b(42);
  Prng c(43);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    if (x != c.Next()) ++differ;
  }
  EXPECT_GT(differ, 95);
}

TEST(Prng, RangeStaysWithinClosedBoundsAndHitsBoth) {
  Prng prng(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t r = prng.Range(10, 14);
    ASSERT_GE(r, 10u);
    ASSERT_LE(r, 14u);
    seen.insert(r);
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(prng.Range(9, 9), 9u);
}

TEST(Prng, UniformInclusiveIsRoughlyUniform) {
  Prng prng(1234);
  std::array<int, 6> counts{};
  constexpr int kDraws = 600000;
  for (int i = 0; i < kDraws; ++i) ++counts[prng.UniformInclusive(5)];
  for (int count : counts) {
    // Expected 100000 per bucket; 2% is far beyond 6 sigma (sigma ~ 290).
    EXPECT_NEAR(count, kDraws / 6, 2000);
  }
}

TEST(Prng, UniformInclusiveFullRangeReturnsRawOutput) {
  Prng a(5);
  Prng b(5);
  EXPECT_EQ(a.UniformInclusive(UINT64_MAX), b.Next());
}

TEST(Prng, ChanceMatchesRatio) {
  Prng prng(99);
  int hits = 0;
  constexpr int kDraws = 400000;
  for (int i = 0; i < kDraws; ++i) hits += prng.Chance(Ratio{1, 4}) ? 1 : 0;
  EXPECT_NEAR(hits, kDraws / 4, 2000);
  EXPECT_FALSE(prng.Chance(Ratio{0, 10}));
  EXPECT_TRUE(prng.Chance(Ratio{10, 10}));
}

TEST(Prng, SplitStreamsAreIndependentOfLaterParentDraws) {
  Prng parent_a(1);
  Prng parent_b(1);
  Prng child_a = parent_a.Split();
  Prng child_b = parent_b.Split();
  for (int i = 0; i < 10; ++i) parent_b.Next();  // extra draws in the parent only
  for (int i = 0; i < 50; ++i) EXPECT_EQ(child_a.Next(), child_b.Next());
}

TEST(PrngDeathTest, RangeWithInvertedBoundsIsAProgrammerError) {
  Prng prng(1);
  EXPECT_DEATH(prng.Range(5, 4), "CHECK failed: lo <= hi \\(5 vs 4\\)");
}

}  // namespace
}  // namespace raftlab
