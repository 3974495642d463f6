#include "core/storage/recovery.h"

#include "core/base/check.h"
#include "core/storage/snapshot_file.h"

namespace raftlab::storage {

Result<Recovered> Recover(FileSystem* fs, const WalOptions& options, std::optional<Wal>* wal) {
  Recovered out;
  Result<std::optional<raft::Snapshot>> snapshot = LoadNewestSnapshot(*fs, &out.notes);
  if (!snapshot) return tl::unexpected(snapshot.error());
  out.snapshot = std::move(*snapshot);
  const uint64_t snapshot_index = out.snapshot ? out.snapshot->metadata.index : 0;
  WalContents contents;
  Result<Wal> opened = Wal::Open(fs, options, snapshot_index, &contents);
  if (!opened) return tl::unexpected(opened.error());
  if (contents.repaired_bytes > 0) {
    out.notes.push_back("WAL: cut a torn tail of " + std::to_string(contents.repaired_bytes) +
                        " bytes");
  }
  out.hard_state = contents.hard_state;
  out.entries = std::move(contents.entries);
  // The commit index can never point past the log we recovered: that would
  // mean acknowledged entries were lost.
  const uint64_t last = out.entries.empty() ? snapshot_index : out.entries.back().index;
  if (out.hard_state.commit > last) {
    return MakeError(ErrorCode::kCorruption,
                     contents.hard_state_at + ": the hard state's commit index " +
                         std::to_string(out.hard_state.commit) +
                         " is beyond the last recovered entry " + std::to_string(last));
  }
  if (wal != nullptr) wal->emplace(std::move(*opened));
  return out;
}

void LoadInto(const Recovered& recovered, raft::MemoryStorage* storage) {
  if (recovered.snapshot) CHECK(storage->ApplySnapshot(*recovered.snapshot));
  storage->Append(recovered.entries);
  storage->SetHardState(recovered.hard_state);
}

}  // namespace raftlab::storage
