// FileSystem: the byte storage under the WAL and snapshot files — a flat
// directory of named files. Pure interface; the core never touches a real
// disk. Implementations: MemoryFileSystem (tests; the simulator adds its
// faults to it) and the live runner's files (fsync).
//
// Contract: Append and Truncate change what Read returns at once but become
// durable only after Sync(name); Rename and Remove are atomic and durable
// when they return. Errors (EIO, ENOSPC) come back as Status; a host that
// gets one from Sync must treat the data as not durable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace raftlab::storage {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual std::vector<std::string> List() const = 0;  // sorted by name
  virtual bool Exists(const std::string& name) const = 0;
  virtual Result<std::string> Read(const std::string& name) const = 0;
  virtual Status Append(const std::string& name, std::string_view data) = 0;  // creates
  virtual Status Truncate(const std::string& name, uint64_t size) = 0;
  virtual Status Sync(const std::string& name) = 0;
  virtual Status Remove(const std::string& name) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
};

}  // namespace raftlab::storage
