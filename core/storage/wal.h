// Wal: the write-ahead log of a node's Raft state — hard states and entries
// in segment files of framed, chained-checksum records (record.h).
//
// Recovery rules: an incomplete record at the end of the last segment (a
// torn or partial write: the bytes end inside it) is cut off, since it was
// never acknowledged as durable. Anything else that fails a check — a bad
// checksum, a broken chain, an entry gap, a damaged record before the tail —
// is refused with an error naming the segment and byte offset; it is never
// silently skipped or applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/raft/types.h"
#include "core/storage/file_system.h"
#include "core/storage/record.h"

namespace raftlab::storage {

struct WalOptions {
  uint64_t segment_bytes = 64ull << 20;  // cut a new segment beyond this size
};

// What a WAL holds after the snapshot it was opened from.
struct WalContents {
  raft::HardState hard_state;
  std::vector<raft::Entry> entries;  // contiguous, starting after the snapshot index
  uint64_t repaired_bytes = 0;       // torn tail cut off during recovery
  // Where hard_state was read: "WAL segment NAME at offset N" (empty if
  // none was), so an error about it can name the place.
  std::string hard_state_at;
};

class Wal {
 public:
  // Opens the WAL in `fs` (creating it if there is none), replaying every
  // record and keeping the entries above `snapshot_index`.
  static Result<Wal> Open(FileSystem* fs, const WalOptions& options, uint64_t snapshot_index,
                          WalContents* contents);

  // Appends a hard state (if not empty) and entries; durable after Sync().
  Status Save(const raft::HardState& hs, const std::vector<raft::Entry>& entries);
  // Records that the node installed a snapshot from its leader, which reset
  // its log to (index, term). Save it before the Ready's entries.
  Status SaveSnapshotInstalled(uint64_t index, uint64_t term);
  Status Sync();
  // Removes whole segments whose entries all lie at or below `index` (they
  // are covered by a snapshot). The newest segment is always kept.
  Status ReleaseTo(uint64_t index);

  const std::vector<std::string>& segments() const { return segment_names_; }
  static std::string SegmentName(uint64_t seq);

  struct Replay;  // recovery bookkeeping (wal.cc)

 private:
  Wal(FileSystem* fs, WalOptions options) : fs_(fs), options_(options) {}
  Status ReadSegment(const std::string& name, bool first_segment, bool last_segment,
                     Replay* replay);
  Status ApplyRecord(const std::string& name, size_t offset, const Record& record,
                     bool first_segment, Replay* replay);
  Status CutSegment();
  Status AppendRecord(int type, const std::string& payload);

  FileSystem* fs_;
  WalOptions options_;
  std::vector<std::string> segment_names_;
  std::vector<uint64_t> segment_last_index_;  // highest entry index each segment holds
  uint64_t seq_ = 0;
  uint64_t current_bytes_ = 0;
  uint32_t crc_ = 0;  // chain value after the last record
  raft::HardState hard_state_;  // the latest one saved, repeated at each cut
  uint64_t last_index_ = 0;
  std::vector<std::string> unsynced_;  // segments written since the last Sync
};

}  // namespace raftlab::storage
