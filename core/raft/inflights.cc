#include "core/raft/inflights.h"

#include "core/base/check.h"

namespace raftlab::raft {

Inflights::Inflights(size_t max_count, uint64_t max_bytes)
    : max_count_(max_count), max_bytes_(max_bytes), ring_(max_count) {
  CHECK_GT(max_count, 0u);
}

void Inflights::Add(uint64_t index, uint64_t bytes) {
  CHECK(!Full());
  if (count_ > 0) {
    const Slot& last = ring_[(start_ + count_ - 1) % max_count_];
    CHECK_GT(index, last.index);
  }
  ring_[(start_ + count_) % max_count_] = Slot{index, bytes};
  ++count_;
  bytes_ += bytes;
}

void Inflights::FreeLE(uint64_t index) {
  while (count_ > 0 && ring_[start_].index <= index) {
    CHECK_GE(bytes_, ring_[start_].bytes);
    bytes_ -= ring_[start_].bytes;
    start_ = (start_ + 1) % max_count_;
    --count_;
  }
  if (count_ == 0) start_ = 0;
}

bool Inflights::Full() const {
  return count_ == max_count_ || (max_bytes_ != 0 && bytes_ >= max_bytes_);
}

void Inflights::Reset() {
  start_ = 0;
  count_ = 0;
  bytes_ = 0;
}

}  // namespace raftlab::raft
