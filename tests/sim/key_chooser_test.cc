// Key distributions of the workload: uniform is the workload's original
// single draw (so uniform runs keep their trace hashes); zipf and hot-key
// draws have the frequencies their formulas give, within a tolerance set by
// the sample size; the table's power function agrees with libm's.
#include "sim/key_chooser.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace raftlab::sim {
namespace {

WorkloadModel Model(int keys, KeyDistribution d) {
  WorkloadModel m;
  m.keys = keys;
  m.key_distribution = d;
  return m;
}

// Draws n keys and compares each key's count with n * expected[i]. A count
// is Binomial(n, p): it may stray from n*p by z standard deviations,
// sqrt(n p (1-p)), with z = 5 (a chance below 10^-6 per key for a fair
// draw), plus one for the table's integer rounding of p (below 2^-40).
void ExpectFrequencies(const KeyChooser& chooser, const std::vector<double>& expected,
                       uint64_t n, uint64_t seed) {
  Prng prng(seed);
  std::vector<uint64_t> counts(expected.size(), 0);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t k = chooser.Next(&prng);
    ASSERT_LT(k, counts.size());
    ++counts[k];
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    const double mean = static_cast<double>(n) * expected[i];
    const double sd = std::sqrt(mean * (1 - expected[i]));
    EXPECT_NEAR(static_cast<double>(counts[i]), mean, 5 * sd + 1);
  }
}

TEST(KeyChooser, UniformIsTheWorkloadsOriginalIndexDraw) {
  const KeyChooser chooser(Model(7, KeyDistribution::kUniform));
  Prng a(42);
  Prng b(42);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(chooser.Next(&a), b.Index(7)) << "draw " << i;
}

TEST(KeyChooser, ZipfFrequenciesFollowInversePowersOfTheRank) {
  struct Case {
    int keys;
    double s;
  };
  for (const Case c : {Case{10, 1.0}, Case{50, 1.2}, Case{5, 1.5}, Case{1000, 1.0},
                       Case{20, 0.5}}) {
    SCOPED_TRACE(::testing::Message() << "keys " << c.keys << " s " << c.s);
    WorkloadModel m = Model(c.keys, KeyDistribution::kZipf);
    m.zipf_exponent = c.s;
    // P(k<i>) = (i+1)^-s / sum over j of (j+1)^-s.
    std::vector<double> expected;
    double total = 0;
    for (int i = 1; i <= c.keys; ++i) total += std::pow(i, -c.s);
    for (int i = 1; i <= c.keys; ++i) expected.push_back(std::pow(i, -c.s) / total);
    ExpectFrequencies(KeyChooser(m), expected, 400'000, 7 + static_cast<uint64_t>(c.keys));
  }
}

TEST(KeyChooser, HotKeyGetsItsFractionAndTheOthersShareTheRestEvenly) {
  struct Case {
    int keys;
    Ratio hot;
  };
  for (const Case c : {Case{10, Ratio{9, 10}}, Case{2, Ratio{1, 2}}, Case{100, Ratio{1, 4}},
                       Case{1, Ratio{1, 3}}}) {
    SCOPED_TRACE(::testing::Message() << "keys " << c.keys << " hot " << c.hot.num << "/"
                                      << c.hot.den);
    WorkloadModel m = Model(c.keys, KeyDistribution::kHot);
    m.hot_fraction = c.hot;
    const double f = static_cast<double>(c.hot.num) / static_cast<double>(c.hot.den);
    std::vector<double> expected(static_cast<size_t>(c.keys), (1 - f) / (c.keys - 1));
    expected[0] = c.keys == 1 ? 1.0 : f;
    ExpectFrequencies(KeyChooser(m), expected, 400'000, 3 + static_cast<uint64_t>(c.keys));
  }
}

TEST(KeyChooser, TablePowerAgreesWithLibm) {
  for (double s : {0.1, 0.5, 1.0, 1.2, 1.5, 2.0, 3.7, 10.0}) {
    for (double x : {1.0, 2.0, 3.0, 7.0, 10.0, 999.0, 65536.0, 1e6}) {
      const double want = std::pow(x, -s);
      EXPECT_NEAR(internal::DeterministicInversePower(x, s), want, want * 1e-13)
          << "x " << x << " s " << s;
    }
  }
}

RC_GTEST_PROP(KeyChooser, EveryDistributionDrawsAKeyInRangeAndRepeatsWithTheSeed,
              (uint64_t seed)) {
  const int keys = *rc::gen::inRange(1, 300);
  WorkloadModel m = Model(keys, *rc::gen::element(KeyDistribution::kUniform,
                                                  KeyDistribution::kZipf, KeyDistribution::kHot));
  m.zipf_exponent = *rc::gen::inRange(1, 400) / 100.0;
  m.hot_fraction = Ratio{*rc::gen::inRange<uint64_t>(0, 1'000'001), 1'000'000};
  const KeyChooser chooser(m);
  Prng a(seed);
  Prng b(seed);
  for (int i = 0; i < 200; ++i) {
    const uint64_t k = chooser.Next(&a);
    RC_ASSERT(k < static_cast<uint64_t>(keys));
    RC_ASSERT(k == chooser.Next(&b));
  }
}

}  // namespace
}  // namespace raftlab::sim
