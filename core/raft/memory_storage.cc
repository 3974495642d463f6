#include "core/raft/memory_storage.h"

#include "core/base/check.h"

namespace raftlab::raft {

const char* StorageErrorName(StorageError error) {
  switch (error) {
    case StorageError::kCompacted: return "requested index is unavailable due to compaction";
    case StorageError::kUnavailable: return "requested entry at index is unavailable";
    case StorageError::kSnapshotTemporarilyUnavailable:
      return "snapshot is temporarily unavailable";
  }
  return "unknown storage error";
}

MemoryStorage::MemoryStorage() : ents_(1) {}

InitialState MemoryStorage::GetInitialState() const {
  return InitialState{hard_state_, snapshot_.metadata.conf_state};
}

StorageResult<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi,
                                                         uint64_t max_bytes) const {
  const uint64_t offset = ents_[0].index;
  if (lo <= offset) return tl::unexpected(StorageError::kCompacted);
  CHECK_LE(lo, hi);
  if (hi > LastIndex() + 1) return tl::unexpected(StorageError::kUnavailable);
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    const Entry& e = ents_[i - offset];
    bytes += EntrySize(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

std::span<const Entry> MemoryStorage::View(uint64_t lo, uint64_t hi) const {
  CHECK_LE(FirstIndex(), lo);
  CHECK_LE(lo, hi);
  CHECK_LE(hi, LastIndex() + 1);
  const uint64_t offset = ents_[0].index;
  return std::span<const Entry>(ents_).subspan(lo - offset, hi - lo);
}

StorageResult<uint64_t> MemoryStorage::Term(uint64_t i) const {
  const uint64_t offset = ents_[0].index;
  if (i < offset) return tl::unexpected(StorageError::kCompacted);
  if (i - offset >= ents_.size()) return tl::unexpected(StorageError::kUnavailable);
  return ents_[i - offset].term;
}

uint64_t MemoryStorage::LastIndex() const { return ents_[0].index + ents_.size() - 1; }

uint64_t MemoryStorage::FirstIndex() const { return ents_[0].index + 1; }

StorageResult<Snapshot> MemoryStorage::GetSnapshot() const {
  if (snapshot_unavailable_) return tl::unexpected(StorageError::kSnapshotTemporarilyUnavailable);
  return snapshot_;
}

bool MemoryStorage::ApplySnapshot(const Snapshot& snapshot) {
  if (snapshot_.metadata.index >= snapshot.metadata.index) return false;
  snapshot_ = snapshot;
  ents_.assign(1, Entry{snapshot.metadata.term, snapshot.metadata.index, EntryType::kNormal, ""});
  return true;
}

StorageResult<Snapshot> MemoryStorage::CreateSnapshot(uint64_t i, const ConfState& cs,
                                                      std::string data) {
  const uint64_t offset = ents_[0].index;
  // Below the log's first retained entry the term of i is gone.
  if (i <= snapshot_.metadata.index || i < offset) {
    return tl::unexpected(StorageError::kCompacted);
  }
  CHECK_LE(i, LastIndex());
  snapshot_.metadata.index = i;
  snapshot_.metadata.term = ents_[i - offset].term;
  snapshot_.metadata.conf_state = cs;
  snapshot_.data = std::move(data);
  return snapshot_;
}

StorageResult<void> MemoryStorage::Compact(uint64_t i) {
  const uint64_t offset = ents_[0].index;
  if (i <= offset) return tl::unexpected(StorageError::kCompacted);
  CHECK_LE(i, LastIndex());
  const uint64_t k = i - offset;
  std::vector<Entry> kept;
  kept.reserve(ents_.size() - k);
  kept.push_back(Entry{ents_[k].term, ents_[k].index, EntryType::kNormal, ""});
  for (uint64_t j = k + 1; j < ents_.size(); ++j) kept.push_back(std::move(ents_[j]));
  ents_ = std::move(kept);
  return {};
}

void MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  const uint64_t first = FirstIndex();
  const uint64_t last = entries.back().index;
  if (last < first) return;  // all already compacted
  size_t skip = 0;
  if (entries.front().index < first) skip = first - entries.front().index;
  const uint64_t start = entries[skip].index;
  const uint64_t offset = start - ents_[0].index;
  CHECK_LE(offset, ents_.size());  // no gap between the log and the new entries
  ents_.resize(offset);            // truncates a conflicting suffix
  for (size_t j = skip; j < entries.size(); ++j) {
    CHECK_EQ(entries[j].index, ents_.back().index + 1);
    ents_.push_back(entries[j]);
  }
}

}  // namespace raftlab::raft
