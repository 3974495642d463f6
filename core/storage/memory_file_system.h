// MemoryFileSystem: files in memory with an explicit durable/volatile split,
// so a crash can lose exactly what was never synced.
#pragma once

#include <map>
#include <string>

#include "core/storage/file_system.h"

namespace raftlab::storage {

class MemoryFileSystem : public FileSystem {
 public:
  std::vector<std::string> List() const override;
  bool Exists(const std::string& name) const override;
  Result<std::string> Read(const std::string& name) const override;
  Status Append(const std::string& name, std::string_view data) override;
  Status Truncate(const std::string& name, uint64_t size) override;
  Status Sync(const std::string& name) override;
  Status Remove(const std::string& name) override;
  Status Rename(const std::string& from, const std::string& to) override;

  // A crash: every file reverts to its durable content. Files never synced
  // are gone... unless keep_unsynced_bytes > 0, which keeps that much of each
  // file's unsynced suffix (a torn write). The simulator chooses the amount.
  void Crash(uint64_t keep_unsynced_bytes = 0);
  // Unsynced bytes of a file (written since the last Sync).
  uint64_t UnsyncedBytes(const std::string& name) const;
  // Flips bits of byte `offset` (XOR with mask) in both the visible and the
  // durable content: a bit rot that survives crashes. Fault injection and tests.
  Status FlipBits(const std::string& name, uint64_t offset, uint8_t mask);

 private:
  // What survives a crash is normally a prefix of what Read returns, so it
  // is kept as a length: a Sync of a growing WAL then costs O(1) instead of
  // a copy of the whole segment. Only a Truncate below that prefix makes the
  // two differ; then the durable bytes get their own copy until the next Sync.
  struct File {
    std::string content;  // what Read returns
    uint64_t durable_size = 0;  // Invariant: if !diverged, <= content.size()
    bool diverged = false;
    std::string durable_copy;  // what survives a crash, when diverged
    bool ever_synced = false;

    std::string_view Durable() const {
      return diverged ? std::string_view(durable_copy)
                      : std::string_view(content).substr(0, durable_size);
    }
  };
  std::map<std::string, File> files_;  // ordered: List() is sorted
};

}  // namespace raftlab::storage
