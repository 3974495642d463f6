// The WGL memo: the set of (linearized-ops set, model state) pairs seen.
//
// Contract: Insert returns false iff an equal pair is already present.
// Equality is exact; the 64-bit hash (XOR of per-op Zobrist keys mixed with
// the state hash) only picks the slot, so a collision costs time, never a
// wrong verdict. Open addressing; keys live in fixed blocks that never move
// (no copying on growth, no per-entry allocation).
//
// Compression: the caller numbers ops by return time, and a linearized set
// is mostly "every op up to some rank, plus a few ops still in flight" (an
// op is linearized before the search walks past its return). A set is
// stored canonically as {m, r1 < ... < rk}: m = the number of leading ranks
// all present, then the present ranks above m; about 4 * (2 + concurrency)
// bytes instead of n / 8. When that would be longer than the plain bitset
// (many indeterminate ops placed early), the plain bitset is stored instead;
// the choice depends only on the set, so encodings stay canonical.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace raftlab::checker {

class SearchCache {
 public:
  explicit SearchCache(size_t words_per_bitset);

  // `bits` has words_per_bitset words; bit r is set iff rank r is in the set.
  bool Insert(uint64_t hash, uint32_t state, const uint64_t* bits);
  size_t size() const { return size_; }
  // Counts the slot array twice: growing it briefly holds the old and the
  // new one, and the limit must hold at that peak too.
  uint64_t MemoryBytes() const {
    return 2 * slots_.capacity() * sizeof(Slot) +
           blocks_.size() * block_words_ * sizeof(uint32_t);
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t state = 0;
    uint32_t entry = 0;  // 1 + block * block_words_ + offset; 0 marks an empty slot
  };
  // Fills scratch_ with {length, payload...}.
  void Encode(const uint64_t* bits);
  const uint32_t* Stored(uint32_t entry) const;
  uint32_t Store();
  void Grow();

  static constexpr uint32_t kRawMarker = UINT32_MAX;  // payload is the plain bitset
  size_t words_;
  size_t block_words_;  // a power of two that fits the longest encoding
  size_t block_used_ = 0;
  size_t size_ = 0;
  std::vector<Slot> slots_;  // Invariant: size is a power of two, load <= 1/2
  std::vector<std::unique_ptr<uint32_t[]>> blocks_;
  std::vector<uint32_t> scratch_;
};

}  // namespace raftlab::checker
