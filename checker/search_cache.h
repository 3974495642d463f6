// The WGL memo: the set of (linearized-ops bitset, model state) pairs seen.
//
// Contract: Insert returns false iff an equal pair is already present.
// Equality is exact (the full bitset is stored and compared); the 64-bit hash
// (XOR of per-op Zobrist keys mixed with the state hash) only picks the slot,
// so a hash collision costs time, never a wrong verdict. Open addressing,
// bitsets in one arena, no per-entry allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace raftlab::checker {

class SearchCache {
 public:
  explicit SearchCache(size_t words_per_bitset);

  bool Insert(uint64_t hash, uint32_t state, const uint64_t* bits);
  size_t size() const { return size_; }
  uint64_t MemoryBytes() const {
    const uint64_t block_bytes = per_block_ * words_ * sizeof(uint64_t);
    return slots_.capacity() * sizeof(Slot) + blocks_.size() * block_bytes;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t state = 0;
    uint32_t entry = 0;  // 1 + index of the bitset in arena_; 0 marks an empty slot
  };
  void Grow();
  const uint64_t* Bitset(uint32_t entry) const;

  // Bitsets live in fixed blocks that never move, so growth copies nothing.
  static constexpr size_t kBlockWords = size_t{1} << 16;
  size_t words_;
  size_t per_block_;  // bitsets per block
  size_t size_ = 0;
  std::vector<Slot> slots_;  // Invariant: size is a power of two, load <= 1/2
  std::vector<std::unique_ptr<uint64_t[]>> blocks_;
};

}  // namespace raftlab::checker
