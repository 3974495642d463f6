// Unstable: the tail of the log (and possibly a snapshot) that the core has
// accepted but the host has not yet persisted. Entries move to Storage when
// the host acknowledges a Ready (StableTo).
#pragma once

#include <optional>
#include <vector>

#include "core/raft/types.h"

namespace raftlab::raft {

class Unstable {
 public:
  std::optional<uint64_t> MaybeFirstIndex() const;
  std::optional<uint64_t> MaybeLastIndex() const;
  std::optional<uint64_t> MaybeTerm(uint64_t i) const;

  // The host persisted entries up to (i, t): drop them from here. Ignored if
  // the entry at i has since been overwritten with another term.
  void StableTo(uint64_t i, uint64_t t);
  void StableSnapTo(uint64_t i);
  void Restore(const Snapshot& snapshot);
  void TruncateAndAppend(const std::vector<Entry>& entries);
  // Entries in [lo, hi). REQUIRES: offset <= lo <= hi <= offset + size.
  std::vector<Entry> Slice(uint64_t lo, uint64_t hi) const;

  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t offset) { offset_ = offset; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<Entry> entries_;
  // Invariant: entries_[k].index == offset_ + k.
  uint64_t offset_ = 0;
};

}  // namespace raftlab::raft
