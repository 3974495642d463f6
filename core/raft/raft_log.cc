#include "core/raft/raft_log.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::raft {
namespace {

// Keeps a prefix of at most max_bytes, but always at least one entry.
void LimitSize(std::vector<Entry>* entries, uint64_t max_bytes) {
  if (entries->empty()) return;
  uint64_t bytes = EntrySize(entries->front());
  size_t keep = 1;
  for (; keep < entries->size(); ++keep) {
    bytes += EntrySize((*entries)[keep]);
    if (bytes > max_bytes) break;
  }
  entries->resize(keep);
}

}  // namespace

RaftLog::RaftLog(const Storage& storage, uint64_t max_next_committed_bytes)
    : storage_(storage), max_next_committed_bytes_(max_next_committed_bytes) {
  const uint64_t first = storage.FirstIndex();
  const uint64_t last = storage.LastIndex();
  unstable_.set_offset(last + 1);
  // Everything up to the snapshot is committed and applied by definition.
  committed_ = first - 1;
  applied_ = first - 1;
  applying_ = first - 1;
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term,
                                             uint64_t committed,
                                             const std::vector<Entry>& entries) {
  if (!MatchTerm(index, log_term)) return std::nullopt;
  const uint64_t last_new = index + entries.size();
  const uint64_t conflict = FindConflict(entries);
  if (conflict != 0) {
    CHECK_MSG(conflict > committed_, "entry " + std::to_string(conflict) +
                                         " conflicts with committed entry [committed(" +
                                         std::to_string(committed_) + ")]");
    const uint64_t first_new = index + 1;
    std::vector<Entry> tail(entries.begin() + static_cast<long>(conflict - first_new),
                            entries.end());
    Append(tail);
  }
  // Only what this message proved to match may be committed: not any stale
  // tail beyond last_new.
  CommitTo(std::min(committed, last_new));
  return last_new;
}

uint64_t RaftLog::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return LastIndex();
  const uint64_t after = entries.front().index - 1;
  CHECK_MSG(after >= committed_, "after(" + std::to_string(after) +
                                     ") is out of range [committed(" +
                                     std::to_string(committed_) + ")]");
  unstable_.TruncateAndAppend(entries);
  return LastIndex();
}

uint64_t RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<uint64_t, uint64_t> RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  for (; index > 0; --index) {
    StorageResult<uint64_t> t = Term(index);
    if (!t) return {index, 0};  // compacted or unavailable: cannot look further
    if (*t <= term) return {index, *t};
  }
  return {0, 0};
}

std::vector<Entry> RaftLog::NextCommittedEntries() const {
  if (HasNextOrInProgressSnapshot()) return {};
  const uint64_t lo = std::max(applying_ + 1, FirstIndex());
  if (committed_ + 1 <= lo) return {};
  StorageResult<std::vector<Entry>> r = Slice(lo, committed_ + 1, max_next_committed_bytes_);
  CHECK_MSG(r.has_value(), "unexpected error when getting unapplied entries");
  return std::move(*r);
}

bool RaftLog::HasNextCommittedEntries() const {
  if (HasNextOrInProgressSnapshot()) return false;
  return committed_ + 1 > std::max(applying_ + 1, FirstIndex());
}

StorageResult<Snapshot> RaftLog::GetSnapshot() const {
  if (unstable_.snapshot()) return *unstable_.snapshot();
  return storage_.GetSnapshot();
}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return storage_.FirstIndex();
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return storage_.LastIndex();
}

uint64_t RaftLog::LastTerm() const {
  StorageResult<uint64_t> t = Term(LastIndex());
  CHECK_MSG(t.has_value(), "unexpected error when getting the last term");
  return *t;
}

StorageResult<uint64_t> RaftLog::Term(uint64_t i) const {
  // The valid range is [FirstIndex()-1, LastIndex()]: the entry before the
  // first is the snapshot's, whose term is still known.
  if (i + 1 < FirstIndex()) return tl::unexpected(StorageError::kCompacted);
  if (i > LastIndex()) return tl::unexpected(StorageError::kUnavailable);
  if (auto t = unstable_.MaybeTerm(i)) return *t;
  return storage_.Term(i);
}

uint64_t RaftLog::TermOrZero(uint64_t i) const { return Term(i).value_or(0); }

bool RaftLog::MatchTerm(uint64_t i, uint64_t term) const {
  StorageResult<uint64_t> t = Term(i);
  return t.has_value() && *t == term;
}

StorageResult<std::vector<Entry>> RaftLog::Entries(uint64_t i, uint64_t max_bytes) const {
  if (i > LastIndex()) return std::vector<Entry>{};
  return Slice(i, LastIndex() + 1, max_bytes);
}

StorageResult<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi,
                                                 uint64_t max_bytes) const {
  CHECK_LE(lo, hi);
  if (lo < FirstIndex()) return tl::unexpected(StorageError::kCompacted);
  CHECK_LE(hi, LastIndex() + 1);
  std::vector<Entry> out;
  if (lo == hi) return out;
  const uint64_t offset = unstable_.offset();
  if (lo < offset) {
    const uint64_t stored_hi = std::min(hi, offset);
    StorageResult<std::vector<Entry>> stored = storage_.Entries(lo, stored_hi, max_bytes);
    if (!stored) {
      CHECK(stored.error() == StorageError::kCompacted);  // anything else is a bug
      return stored;
    }
    out = std::move(*stored);
    if (out.size() < stored_hi - lo) return out;  // cut by the size limit
  }
  if (hi > offset) {
    std::vector<Entry> tail = unstable_.Slice(std::max(lo, offset), hi);
    out.insert(out.end(), std::make_move_iterator(tail.begin()),
               std::make_move_iterator(tail.end()));
  }
  LimitSize(&out, max_bytes);
  return out;
}

std::vector<Entry> RaftLog::AllEntries() const {
  StorageResult<std::vector<Entry>> r = Entries(FirstIndex(), UINT64_MAX);
  CHECK(r.has_value());
  return std::move(*r);
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t term) const {
  const uint64_t last_term = LastTerm();
  return term > last_term || (term == last_term && last_index >= LastIndex());
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  // Raft §5.4.2: only an entry of the leader's current term is committed by
  // counting replicas; earlier ones are committed indirectly with it.
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::CommitTo(uint64_t index) {
  if (committed_ >= index) return;  // never decrease commit
  CHECK_MSG(LastIndex() >= index, "tocommit(" + std::to_string(index) +
                                      ") is out of range [lastIndex(" +
                                      std::to_string(LastIndex()) +
                                      ")]. Was the raft log corrupted, truncated, or lost?");
  committed_ = index;
}

void RaftLog::AppliedTo(uint64_t index) {
  if (index == 0) return;
  CHECK_LE(index, committed_);
  CHECK_GE(index, applied_);
  applied_ = index;
  applying_ = std::max(applying_, index);
}

void RaftLog::AcceptApplying(uint64_t index) {
  CHECK_LE(index, committed_);
  CHECK_GE(index, applying_);
  applying_ = index;
}

void RaftLog::Restore(const Snapshot& snapshot) {
  committed_ = snapshot.metadata.index;
  unstable_.Restore(snapshot);
}

std::string RaftLog::String() const {
  return "committed=" + std::to_string(committed_) + ", applied=" + std::to_string(applied_) +
         (applying_ != applied_ ? ", applying=" + std::to_string(applying_) : std::string()) +
         ", unstable.offset=" + std::to_string(unstable_.offset()) +
         ", len(unstable.entries)=" + std::to_string(unstable_.entries().size());
}

}  // namespace raftlab::raft
