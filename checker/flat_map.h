// FlatMap64: an open-addressing map from uint64 keys to uint32 values for the
// model's hot-path memo tables (trie children, read matches).
//
// Contract: lookups only; iteration order is never observed, so the layout
// (which depends on the key mix) cannot reach any output. Keys are mixed with
// the splitmix64 finalizer, never std::hash. Load factor <= 1/2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace raftlab::checker {

class FlatMap64 {
 public:
  FlatMap64() : slots_(64) {}

  // Returns the value for `key`, inserting `fresh` first if absent; *inserted
  // tells which happened.
  uint32_t FindOrInsert(uint64_t key, uint32_t fresh, bool* inserted) {
    size_t i = Mix(key) & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      Slot& slot = slots_[i];
      if (!slot.used) break;
      if (slot.key == key) {
        *inserted = false;
        return slot.value;
      }
    }
    slots_[i] = Slot{key, fresh, true};
    ++size_;
    *inserted = true;
    if (2 * size_ > slots_.size()) Grow();
    return fresh;
  }

  // REQUIRES: nothing; returns false when absent.
  bool Find(uint64_t key, uint32_t* value) const {
    size_t i = Mix(key) & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (!slot.used) return false;
      if (slot.key == key) {
        *value = slot.value;
        return true;
      }
    }
  }

  uint64_t MemoryBytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t value = 0;
    bool used = false;
  };

  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    for (const Slot& slot : old) {
      if (!slot.used) continue;
      size_t i = Mix(slot.key) & (slots_.size() - 1);
      while (slots_[i].used) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;  // Invariant: size is a power of two
  size_t size_ = 0;
};

}  // namespace raftlab::checker
