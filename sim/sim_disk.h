// SimDisk: a node's disk — the in-memory file system plus the simulator's
// faults. Writes are buffered until fsync; on a crash the unsynced suffix of
// each file is dropped, kept, or torn at a sector boundary (DiskModel).
// Runtime faults: the next fsync fails (EIO), the disk is full (ENOSPC),
// fsyncs stall, and durable WAL bytes rot (a flipped bit) or are overwritten
// by a misdirected write. The WAL and snapshots see these faults through
// fs(), a FileSystem that forwards to the memory file system.
#pragma once

#include <string>

#include "core/base/prng.h"
#include "core/storage/memory_file_system.h"
#include "sim/config.h"

namespace raftlab::sim {

class SimDisk : public storage::FileSystem {
 public:
  SimDisk(const DiskModel& model, Prng prng) : model_(model), prng_(prng) {}

  storage::FileSystem* fs() { return this; }
  storage::MemoryFileSystem* memory() { return &fs_; }
  TimeNs FsyncLatency() { return prng_.Range(model_.fsync_min, model_.fsync_max); }
  // Applies the crash model; returns what happened ("dropped", "kept", "torn").
  const char* Crash();

  // Faults.
  void FailNextSync() { fail_next_sync_ = true; }
  void set_full(bool full) { full_ = full; }
  bool full() const { return full_; }
  void set_stalled(bool stalled) { stalled_ = stalled; }
  bool stalled() const { return stalled_; }
  // Damages a durable byte of a WAL segment: a flipped bit, or (misdirected)
  // bytes copied from elsewhere in the file. Returns what was done, or ""
  // when there is nothing to damage.
  std::string Corrupt(bool misdirected);

  // storage::FileSystem
  std::vector<std::string> List() const override { return fs_.List(); }
  bool Exists(const std::string& name) const override { return fs_.Exists(name); }
  Result<std::string> Read(const std::string& name) const override { return fs_.Read(name); }
  Status Append(const std::string& name, std::string_view data) override;
  Status Truncate(const std::string& name, uint64_t size) override {
    return fs_.Truncate(name, size);
  }
  Status Sync(const std::string& name) override;
  Status Remove(const std::string& name) override { return fs_.Remove(name); }
  Status Rename(const std::string& from, const std::string& to) override {
    return fs_.Rename(from, to);
  }

 private:
  DiskModel model_;
  Prng prng_;
  storage::MemoryFileSystem fs_;
  bool fail_next_sync_ = false;
  bool full_ = false;
  bool stalled_ = false;
};

}  // namespace raftlab::sim
