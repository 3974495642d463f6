// Recovery: a node's durable Raft state after a restart — the newest valid
// snapshot plus the WAL replayed from it — and the WAL opened to continue.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/raft/memory_storage.h"
#include "core/storage/wal.h"

namespace raftlab::storage {

struct Recovered {
  std::optional<raft::Snapshot> snapshot;
  raft::HardState hard_state;
  std::vector<raft::Entry> entries;  // after the snapshot
  std::vector<std::string> notes;    // damaged snapshots skipped, torn tail repaired
};

// Reads the state back, repairing a torn WAL tail. Any other damage is an
// error that names the file and offset.
Result<Recovered> Recover(FileSystem* fs, const WalOptions& options, std::optional<Wal>* wal);

// Loads a recovered state into a MemoryStorage for the Raft core.
void LoadInto(const Recovered& recovered, raft::MemoryStorage* storage);

}  // namespace raftlab::storage
