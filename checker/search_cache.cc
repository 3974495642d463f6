#include "checker/search_cache.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/base/check.h"

namespace raftlab::checker {

SearchCache::SearchCache(size_t words_per_bitset)
    : words_(words_per_bitset == 0 ? 1 : words_per_bitset), slots_(1024) {
  // The longest encoding: length, marker, and the bitset as 32-bit halves.
  block_words_ = std::bit_ceil(std::max<size_t>(size_t{1} << 16, 2 + 2 * words_));
}

void SearchCache::Encode(const uint64_t* bits) {
  scratch_.assign(2, 0);  // {length, m}
  size_t w = 0;
  while (w < words_ && bits[w] == ~uint64_t{0}) ++w;
  uint32_t m = static_cast<uint32_t>(64 * w);
  if (w < words_) m += static_cast<uint32_t>(std::countr_one(bits[w]));
  scratch_[1] = m;
  const size_t raw_length = 2 + 2 * words_;
  for (; w < words_ && scratch_.size() <= raw_length; ++w) {
    uint64_t word = bits[w];
    if (w == m / 64) word &= ~uint64_t{0} << (m % 64);  // ranks below m are implied
    while (word != 0) {
      const uint32_t bit = static_cast<uint32_t>(std::countr_zero(word));
      scratch_.push_back(static_cast<uint32_t>(64 * w) + bit);
      word &= word - 1;
    }
  }
  if (scratch_.size() > raw_length) {  // denser than a bitset: store the bitset
    scratch_.resize(raw_length);
    scratch_[1] = kRawMarker;
    std::memcpy(scratch_.data() + 2, bits, words_ * sizeof(uint64_t));
  }
  scratch_[0] = static_cast<uint32_t>(scratch_.size());
}

const uint32_t* SearchCache::Stored(uint32_t entry) const {
  const size_t index = entry - 1;
  return blocks_[index / block_words_].get() + index % block_words_;
}

uint32_t SearchCache::Store() {
  if (blocks_.empty() || block_used_ + scratch_.size() > block_words_) {
    blocks_.push_back(std::make_unique_for_overwrite<uint32_t[]>(block_words_));
    block_used_ = 0;
  }
  const size_t index = (blocks_.size() - 1) * block_words_ + block_used_;
  CHECK_LT(index, size_t{UINT32_MAX});
  std::memcpy(blocks_.back().get() + block_used_, scratch_.data(),
              scratch_.size() * sizeof(uint32_t));
  block_used_ += scratch_.size();
  return static_cast<uint32_t>(index + 1);
}

bool SearchCache::Insert(uint64_t hash, uint32_t state, const uint64_t* bits) {
  Encode(bits);
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  for (;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry == 0) break;
    if (slot.hash != hash) continue;
    if (slot.state != state) continue;
    const uint32_t* stored = Stored(slot.entry);
    if (stored[0] != scratch_[0]) continue;
    if (std::memcmp(stored, scratch_.data(), scratch_.size() * sizeof(uint32_t)) == 0) {
      return false;
    }
  }
  ++size_;
  slots_[i] = Slot{hash, state, Store()};
  if (2 * size_ > slots_.size()) Grow();
  return true;
}

void SearchCache::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.entry == 0) continue;
    size_t i = static_cast<size_t>(slot.hash) & mask;
    while (slots_[i].entry != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
  CHECK_LE(2 * size_, slots_.size());
}

}  // namespace raftlab::checker
