// Snapshot files: a Raft snapshot (metadata + the application's serialized
// state machine, e.g. MVCC and lease state) in one checksummed file.
//
//   "RLSNAP01" | u32 crc32c(payload) | u64 payload length | payload
//
// payload is a raftpb::Snapshot. Files are named snap-<term>-<index>.snap
// (16 hex digits each) and written atomically: to a temporary name, synced,
// then renamed. Loading picks the newest file that passes every check; a
// damaged one is reported and skipped, never used.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/raft/types.h"
#include "core/storage/file_system.h"

namespace raftlab::storage {

std::string SnapshotFileName(uint64_t term, uint64_t index);

// Encodes / decodes the file content (the decoder names what is wrong).
std::string EncodeSnapshotFile(const raft::Snapshot& snapshot);
Result<raft::Snapshot> DecodeSnapshotFile(const std::string& name, const std::string& bytes);

Status SaveSnapshot(FileSystem* fs, const raft::Snapshot& snapshot);

// The newest valid snapshot, or nullopt if there is none. Damaged files are
// described in *skipped (file: reason).
Result<std::optional<raft::Snapshot>> LoadNewestSnapshot(const FileSystem& fs,
                                                         std::vector<std::string>* skipped);

// Removes all but the newest `keep` snapshot files.
Status ReleaseSnapshots(FileSystem* fs, size_t keep);

}  // namespace raftlab::storage
