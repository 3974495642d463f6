#include "sim/key_chooser.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::sim {
namespace internal {
namespace {

constexpr double kLn2 = 0.69314718055994530942;

// ln(x) for x >= 1: x = m * 2^k with m in [1, 2) (halving is exact), then
// ln(m) = 2 atanh(z), z = (m - 1) / (m + 1) < 1/3, whose series converges
// below double precision within 30 terms. Separate statements keep a
// compiler from fusing a multiply and an add (FMA rounds differently).
double Log(double x) {
  CHECK_GE(x, 1.0);
  int k = 0;
  while (x >= 2) {
    x /= 2;
    ++k;
  }
  const double z = (x - 1) / (x + 1);
  const double z2 = z * z;
  double power = z;
  double sum = 0;
  for (int n = 0; n < 30; ++n) {
    const double term = power / (2 * n + 1);
    sum += term;
    power *= z2;
  }
  const double whole = k * kLn2;
  const double fraction = 2 * sum;
  return whole + fraction;
}

// e^y for y <= 0: y = k ln2 + f with k = trunc(y / ln2), f in (-ln2, 0];
// the Taylor series of e^f within 30 terms, then k exact halvings.
double Exp(double y) {
  CHECK_LE(y, 0.0);
  const auto k = static_cast<int64_t>(y / kLn2);
  const double whole = static_cast<double>(k) * kLn2;
  const double f = y - whole;
  double term = 1;
  double sum = 1;
  for (int n = 1; n < 30; ++n) {
    term = term * f / n;
    sum += term;
  }
  for (int64_t i = 0; i < -k; ++i) sum /= 2;
  return sum;
}

}  // namespace

double DeterministicInversePower(double x, double s) {
  CHECK_GE(x, 1.0);
  CHECK_GT(s, 0.0);
  const double exponent = -s * Log(x);
  return Exp(exponent);
}

}  // namespace internal

namespace {

// Zipf weights in units of 2^-40 of the most popular key's: fine enough that
// a tail key of 10^6 with s = 1 still has ~2^20 units, small enough that
// 10^6 keys cannot overflow the total (each weight <= 2^40).
constexpr double kZipfScale = 1099511627776.0;  // 2^40

}  // namespace

KeyChooser::KeyChooser(const WorkloadModel& model)
    : distribution_(model.key_distribution),
      keys_(static_cast<uint64_t>(model.keys)),
      hot_fraction_(model.hot_fraction) {
  CHECK_GT(model.keys, 0);
  if (distribution_ != KeyDistribution::kZipf) return;
  CHECK_GT(model.zipf_exponent, 0.0);
  CHECK_LE(model.zipf_exponent, kZipfExponentMax);
  cumulative_.reserve(keys_);
  uint64_t total = 0;
  for (uint64_t i = 0; i < keys_; ++i) {
    const double w = internal::DeterministicInversePower(static_cast<double>(i + 1),
                                                         model.zipf_exponent);
    const double scaled = w * kZipfScale;
    const auto weight = static_cast<uint64_t>(scaled + 0.5);
    CHECK_LE(weight, UINT64_MAX - total);
    total += weight;
    cumulative_.push_back(total);
  }
  CHECK_GT(total, 0u);
}

uint64_t KeyChooser::Next(Prng* prng) const {
  switch (distribution_) {
    case KeyDistribution::kUniform:
      return prng->Index(keys_);
    case KeyDistribution::kZipf: {
      const uint64_t draw = prng->Index(cumulative_.back());
      // The first key whose cumulative weight exceeds the draw; a key of
      // weight 0 (far in a steep tail) is never chosen.
      const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), draw);
      CHECK(it != cumulative_.end());
      return static_cast<uint64_t>(it - cumulative_.begin());
    }
    case KeyDistribution::kHot: {
      if (prng->Chance(hot_fraction_) || keys_ == 1) return 0;
      return 1 + prng->Index(keys_ - 1);
    }
  }
  UNREACHABLE();
}

}  // namespace raftlab::sim
