// Inflights: the flow-control window of MsgApp messages sent to one follower
// and not yet acknowledged, bounded both in count and in bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace raftlab::raft {

class Inflights {
 public:
  // max_bytes == 0 means no byte limit. REQUIRES: max_count > 0.
  Inflights(size_t max_count, uint64_t max_bytes);

  // Records a message whose last entry is `index` and whose entries total
  // `bytes`. REQUIRES: !Full(), index larger than every recorded index.
  void Add(uint64_t index, uint64_t bytes);
  // Forgets every message with last index <= `index` (acknowledged).
  void FreeLE(uint64_t index);
  // True when no more messages may be sent.
  bool Full() const;
  size_t Count() const { return count_; }
  uint64_t Bytes() const { return bytes_; }
  void Reset();

 private:
  struct Slot {
    uint64_t index = 0;
    uint64_t bytes = 0;
  };
  size_t max_count_;
  uint64_t max_bytes_;
  std::vector<Slot> ring_;  // capacity max_count_
  size_t start_ = 0;
  size_t count_ = 0;
  uint64_t bytes_ = 0;  // Invariant: the sum of bytes of the live slots.
};

}  // namespace raftlab::raft
