#include "checker/search_cache.h"

#include <algorithm>
#include <cstring>

#include "core/base/check.h"

namespace raftlab::checker {

SearchCache::SearchCache(size_t words_per_bitset)
    : words_(words_per_bitset == 0 ? 1 : words_per_bitset), slots_(1024) {
  // A bitset larger than a block gets blocks of its own size.
  per_block_ = std::max<size_t>(1, kBlockWords / words_);
}

const uint64_t* SearchCache::Bitset(uint32_t entry) const {
  const size_t index = entry - 1;
  return blocks_[index / per_block_].get() + (index % per_block_) * words_;
}

bool SearchCache::Insert(uint64_t hash, uint32_t state, const uint64_t* bits) {
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  for (;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry == 0) break;
    if (slot.hash != hash) continue;
    if (slot.state != state) continue;
    if (std::memcmp(Bitset(slot.entry), bits, words_ * sizeof(uint64_t)) == 0) return false;
  }
  CHECK_LT(size_, UINT32_MAX - 1);
  if (size_ % per_block_ == 0) {
    blocks_.push_back(std::make_unique_for_overwrite<uint64_t[]>(per_block_ * words_));
  }
  std::memcpy(blocks_.back().get() + (size_ % per_block_) * words_, bits,
              words_ * sizeof(uint64_t));
  ++size_;
  slots_[i] = Slot{hash, state, static_cast<uint32_t>(size_)};
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
