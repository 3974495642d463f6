// Prng: the only source of randomness in core/, sim/ and checker/.
//
// xoshiro256** seeded through splitmix64, with our own unbiased range
// reduction (Lemire's multiply-shift with rejection) and integer probability
// ratios. std::*_distribution is banned: the standard fixes engines but not
// distributions, so libstdc++ and libc++ draw different values from the same
// engine. Every draw is a pure function of the seed and the draw order.
#pragma once

#include <cstdint>

namespace raftlab {

// A probability num/den with integers, so no floating point reaches a decision.
struct Ratio {
  uint64_t num = 0;
  uint64_t den = 1;
};

class Prng {
 public:
  explicit Prng(uint64_t seed);

  // A generator with the given raw xoshiro256** state (tests and reference
  // vectors only). REQUIRES: not all zero.
  static Prng FromState(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);

  // The next raw 64-bit output.
  uint64_t Next();

  // Returns r with 0 <= r <= max, unbiased.
  uint64_t UniformInclusive(uint64_t max);

  // Returns r with lo <= r <= hi. REQUIRES: lo <= hi.
  uint64_t Range(uint64_t lo, uint64_t hi);

  // Returns an index in [0, n). REQUIRES: n > 0.
  uint64_t Index(uint64_t n);

  // True with probability ratio.num / ratio.den. REQUIRES: num <= den, den > 0.
  bool Chance(Ratio ratio);

  // A new independent generator seeded from this one's next output. Splitting
  // in a fixed order gives each subsystem its own stream, so extra draws in one
  // subsystem do not shift another's.
  Prng Split();

 private:
  Prng() = default;
  uint64_t state_[4] = {0, 0, 0, 0};
};

// The splitmix64 step: advances *state and returns a well-mixed 64-bit value.
uint64_t SplitMix64(uint64_t* state);

}  // namespace raftlab
