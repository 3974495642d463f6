#include "core/base/prng.h"

#include "core/base/check.h"

namespace raftlab {
namespace {

__extension__ typedef unsigned __int128 U128;  // __extension__ silences -Wpedantic

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Prng::Prng(uint64_t seed) {
  uint64_t s = seed;
  for (uint64_t& word : state_) word = SplitMix64(&s);
  // xoshiro's only bad state is all zeros; splitmix64 cannot produce four zeros
  // in a row, but a cheap check documents the requirement.
  CHECK((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

Prng Prng::FromState(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
  Prng prng;
  prng.state_[0] = s0;
  prng.state_[1] = s1;
  prng.state_[2] = s2;
  prng.state_[3] = s3;
  CHECK((s0 | s1 | s2 | s3) != 0);
  return prng;
}

uint64_t Prng::Next() {
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

uint64_t Prng::UniformInclusive(uint64_t max) {
  if (max == UINT64_MAX) return Next();
  const uint64_t range = max + 1;
  U128 product = static_cast<U128>(Next()) * range;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < range) {
    const uint64_t threshold = -range % range;  // 2^64 mod range
    while (low < threshold) {
      product = static_cast<U128>(Next()) * range;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

uint64_t Prng::Range(uint64_t lo, uint64_t hi) {
  CHECK_LE(lo, hi);
  return lo + UniformInclusive(hi - lo);
}

uint64_t Prng::Index(uint64_t n) {
  CHECK_GT(n, 0u);
  return UniformInclusive(n - 1);
}

bool Prng::Chance(Ratio ratio) {
  CHECK_GT(ratio.den, 0u);
  CHECK_LE(ratio.num, ratio.den);
  if (ratio.num == 0) return false;
  if (ratio.num == ratio.den) return true;
  return UniformInclusive(ratio.den - 1) < ratio.num;
}

Prng Prng::Split() {
  const uint64_t seed = Next();
  return Prng(seed);
}

}  // namespace raftlab
