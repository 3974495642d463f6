// KeyChooser: draws the key index of a KV client's operation from a
// WorkloadModel's key distribution, using only the caller's Prng.
//
// Uniform is one Prng::Index(keys) draw, exactly the draw the workload made
// before distributions existed, so uniform runs keep their trace hashes.
// Zipf draws one integer in [0, total) and binary-searches a table of
// cumulative integer weights: weight(i) = round(2^40 / (i+1)^s). The table
// is built once with IEEE-754 +, -, *, / only (no libm, whose pow/exp/log
// may differ between C libraries), so every platform gets the same table,
// and no floating point touches a draw. Hot is a Chance(hot_fraction) for
// k0, else a uniform draw among the other keys.
#pragma once

#include <cstdint>
#include <vector>

#include "core/base/prng.h"
#include "sim/config.h"

namespace raftlab::sim {

class KeyChooser {
 public:
  // REQUIRES: keys > 0; for kZipf, 0 < zipf_exponent <= kZipfExponentMax.
  explicit KeyChooser(const WorkloadModel& model);

  // An index in [0, keys).
  uint64_t Next(Prng* prng) const;

  static constexpr double kZipfExponentMax = 10;

 private:
  KeyDistribution distribution_;
  uint64_t keys_;
  Ratio hot_fraction_;
  // kZipf: cumulative_[i] = weight(0) + ... + weight(i).
  // Invariant: non-decreasing; cumulative_.back() > 0.
  std::vector<uint64_t> cumulative_;
};

namespace internal {

// x^-s for x >= 1 and s > 0, from IEEE-754 basic operations only (see above).
double DeterministicInversePower(double x, double s);

}  // namespace internal

}  // namespace raftlab::sim
