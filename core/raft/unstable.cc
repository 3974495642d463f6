#include "core/raft/unstable.h"

#include "core/base/check.h"

namespace raftlab::raft {

std::optional<uint64_t> Unstable::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeTerm(uint64_t i) const {
  if (i < offset_) {
    if (snapshot_ && snapshot_->metadata.index == i) return snapshot_->metadata.term;
    return std::nullopt;
  }
  std::optional<uint64_t> last = MaybeLastIndex();
  if (!last || i > *last) return std::nullopt;
  return entries_[i - offset_].term;
}

void Unstable::StableTo(uint64_t i, uint64_t t) {
  std::optional<uint64_t> term = MaybeTerm(i);
  if (!term || *term != t || i < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(i + 1 - offset_));
  offset_ = i + 1;
}

void Unstable::StableSnapTo(uint64_t i) {
  if (snapshot_ && snapshot_->metadata.index == i) snapshot_.reset();
}

void Unstable::Restore(const Snapshot& snapshot) {
  offset_ = snapshot.metadata.index + 1;
  entries_.clear();
  snapshot_ = snapshot;
}

void Unstable::TruncateAndAppend(const std::vector<Entry>& entries) {
  CHECK(!entries.empty());
  const uint64_t from = entries.front().index;
  if (from == offset_ + entries_.size()) {
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  } else if (from <= offset_) {
    // Replaces everything unstable; the host will truncate its log at `from`.
    offset_ = from;
    entries_ = entries;
  } else {
    entries_.resize(from - offset_);
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  }
  CHECK_EQ(entries_.back().index, offset_ + entries_.size() - 1);
}

std::vector<Entry> Unstable::Slice(uint64_t lo, uint64_t hi) const {
  CHECK_LE(lo, hi);
  CHECK_LE(offset_, lo);
  CHECK_LE(hi, offset_ + entries_.size());
  return std::vector<Entry>(entries_.begin() + static_cast<long>(lo - offset_),
                            entries_.begin() + static_cast<long>(hi - offset_));
}

}  // namespace raftlab::raft
