// MemoryStorage: Storage kept in memory. The test hosts and the simulator
// use it as the "durable" log (the simulator rebuilds it from its simulated
// disk on restart); the live runner backs it with the WAL.
#pragma once

#include <span>
#include <vector>

#include "core/raft/storage.h"

namespace raftlab::raft {

class MemoryStorage : public Storage {
 public:
  MemoryStorage();

  InitialState GetInitialState() const override;
  StorageResult<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi,
                                            uint64_t max_bytes) const override;
  // Entries in [lo, hi) without copying them; valid until the next change.
  // REQUIRES: FirstIndex() <= lo <= hi <= LastIndex() + 1.
  std::span<const Entry> View(uint64_t lo, uint64_t hi) const;
  StorageResult<uint64_t> Term(uint64_t i) const override;
  uint64_t LastIndex() const override;
  uint64_t FirstIndex() const override;
  StorageResult<Snapshot> GetSnapshot() const override;

  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  const HardState& hard_state() const { return hard_state_; }
  // Replaces the log with the snapshot. Returns false (and changes nothing)
  // if the snapshot is older than the current one.
  bool ApplySnapshot(const Snapshot& snapshot);
  // Creates a snapshot at applied index i with the given state and config.
  // REQUIRES: snapshot index < i <= LastIndex().
  StorageResult<Snapshot> CreateSnapshot(uint64_t i, const ConfState& cs, std::string data);
  // Discards entries before index i. REQUIRES: i <= LastIndex().
  StorageResult<void> Compact(uint64_t i);
  // Appends entries, truncating any conflicting suffix. Entries must be
  // contiguous and may not start below FirstIndex() (older ones are skipped).
  void Append(const std::vector<Entry>& entries);

  // When set, GetSnapshot() reports kSnapshotTemporarilyUnavailable (tests).
  void set_snapshot_unavailable(bool v) { snapshot_unavailable_ = v; }

 private:
  HardState hard_state_;
  Snapshot snapshot_;
  // ents_[0] is a dummy holding the snapshot's index and term.
  // Invariant: ents_[i].index == ents_[0].index + i.
  std::vector<Entry> ents_;
  bool snapshot_unavailable_ = false;
};

}  // namespace raftlab::raft
