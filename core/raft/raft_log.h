// RaftLog: the whole log as Raft sees it — the persisted part (Storage) plus
// the unstable tail — with the commit and applied indexes.
//
// Invariant: applied <= applying <= committed <= LastIndex(), and
// FirstIndex()-1 <= applied (entries at or below a snapshot are never handed
// out again). `applying` is how far committed entries were handed to the
// host; `applied` how far the host says it applied them. They differ only
// while a host applies asynchronously (RawNode::AdvanceUnapplied).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/raft/storage.h"
#include "core/raft/unstable.h"

namespace raftlab::raft {

class RaftLog {
 public:
  // `storage` must outlive the log.
  RaftLog(const Storage& storage, uint64_t max_next_committed_bytes);

  // The follower side of AppendEntries: if the entry at `index` has
  // `log_term`, appends what is new in `entries` and commits up to
  // min(committed, index + entries.size()). Returns that last new index, or
  // nullopt if the terms do not match.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t committed,
                                      const std::vector<Entry>& entries);
  // Appends entries (truncating a conflicting unstable suffix); returns the last index.
  uint64_t Append(const std::vector<Entry>& entries);
  // The index of the first entry whose term conflicts with the log, or 0.
  uint64_t FindConflict(const std::vector<Entry>& entries) const;
  // The largest index <= `index` whose term is <= `term`, and that term.
  // Used to skip a whole term of mismatching entries in one rejection.
  std::pair<uint64_t, uint64_t> FindConflictByTerm(uint64_t index, uint64_t term) const;

  const std::vector<Entry>& UnstableEntries() const { return unstable_.entries(); }
  const std::optional<Snapshot>& UnstableSnapshot() const { return unstable_.snapshot(); }
  // Committed entries not yet handed out, at most max_next_committed_bytes.
  std::vector<Entry> NextCommittedEntries() const;
  bool HasNextCommittedEntries() const;
  bool HasNextOrInProgressSnapshot() const { return unstable_.snapshot().has_value(); }
  StorageResult<Snapshot> GetSnapshot() const;

  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  StorageResult<uint64_t> Term(uint64_t i) const;
  uint64_t TermOrZero(uint64_t i) const;
  bool MatchTerm(uint64_t i, uint64_t term) const;
  // Entries from i to the end, at most max_bytes (but at least one).
  StorageResult<std::vector<Entry>> Entries(uint64_t i, uint64_t max_bytes) const;
  // Entries in [lo, hi), at most max_bytes (but at least one).
  StorageResult<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi, uint64_t max_bytes) const;
  std::vector<Entry> AllEntries() const;  // tests and debugging

  // True if a log ending at (last_index, term) is at least as up to date as this one.
  bool IsUpToDate(uint64_t last_index, uint64_t term) const;
  // Commits up to max_index if that entry is from `term` (never an older term's entry).
  bool MaybeCommit(uint64_t max_index, uint64_t term);
  void CommitTo(uint64_t index);
  void AppliedTo(uint64_t index);
  // Committed entries up to `index` were handed to the host for applying.
  void AcceptApplying(uint64_t index);
  void StableTo(uint64_t i, uint64_t t) { unstable_.StableTo(i, t); }
  void StableSnapTo(uint64_t i) { unstable_.StableSnapTo(i); }
  void Restore(const Snapshot& snapshot);

  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  uint64_t applying() const { return applying_; }
  std::string String() const;

 private:
  const Storage& storage_;
  Unstable unstable_;
  uint64_t committed_ = 0;
  uint64_t applied_ = 0;
  uint64_t applying_ = 0;
  uint64_t max_next_committed_bytes_;
};

}  // namespace raftlab::raft
