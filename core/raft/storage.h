// Storage: the read side of a node's durable Raft log, as the core sees it.
//
// The host writes (appends the Ready's entries, applies snapshots, sets the
// hard state) and the core only reads. Errors are protocol outcomes: a range
// below the first index is compacted; a snapshot may be temporarily
// unavailable while the application builds one.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "core/raft/types.h"

namespace raftlab::raft {

enum class StorageError : uint8_t {
  kCompacted,                       // the index is below FirstIndex()
  kUnavailable,                     // the index is above LastIndex()
  kSnapshotTemporarilyUnavailable,  // try again later
};
const char* StorageErrorName(StorageError error);

template <class T>
using StorageResult = tl::expected<T, StorageError>;

struct InitialState {
  HardState hard_state;
  ConfState conf_state;
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual InitialState GetInitialState() const = 0;
  // Entries in [lo, hi), at most max_bytes (EntrySize) but always at least one.
  virtual StorageResult<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi,
                                                    uint64_t max_bytes) const = 0;
  // The term of entry i, for i in [FirstIndex()-1, LastIndex()].
  virtual StorageResult<uint64_t> Term(uint64_t i) const = 0;
  virtual uint64_t LastIndex() const = 0;
  // The first index still available; FirstIndex()-1 is the snapshot index.
  virtual uint64_t FirstIndex() const = 0;
  virtual StorageResult<Snapshot> GetSnapshot() const = 0;
};

}  // namespace raftlab::raft
