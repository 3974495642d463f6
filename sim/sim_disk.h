// SimDisk: a node's disk — the in-memory file system plus the simulator's
// faults: fsync latency, and on a crash the unsynced suffix of each file
// dropped, kept, or torn at a sector boundary.
#pragma once

#include "core/base/prng.h"
#include "core/storage/memory_file_system.h"
#include "sim/config.h"

namespace raftlab::sim {

class SimDisk {
 public:
  SimDisk(const DiskModel& model, Prng prng) : model_(model), prng_(prng) {}

  storage::MemoryFileSystem* fs() { return &fs_; }
  TimeNs FsyncLatency() { return prng_.Range(model_.fsync_min, model_.fsync_max); }
  // Applies the crash model; returns what happened ("dropped", "kept", "torn").
  const char* Crash();

 private:
  DiskModel model_;
  Prng prng_;
  storage::MemoryFileSystem fs_;
};

}  // namespace raftlab::sim
