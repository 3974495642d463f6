// RaftLog: the log as Raft sees it (storage plus unstable tail), with the
// commit index. Expected values follow the Raft paper's log rules (§5.3,
// §5.4) and etcd-io/raft's log_test.go tables.
#include "core/raft/raft_log.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/raft/memory_storage.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

// Entries at (index, term) pairs, the order etcd's tables use.
std::vector<Entry> IT(std::initializer_list<std::pair<uint64_t, uint64_t>> pairs) {
  std::vector<Entry> out;
  for (const auto& [index, term] : pairs) out.push_back(MakeEntry(term, index));
  return out;
}

// The error of a storage result, or nullopt if it holds a value.
template <class T>
std::optional<StorageError> Err(const StorageResult<T>& r) {
  if (r.has_value()) return std::nullopt;
  return r.error();
}

const std::vector<Entry> kPrevious = IT({{1, 1}, {2, 2}, {3, 3}});

TEST(RaftLog, FindConflict) {
  struct Case {
    std::vector<Entry> entries;
    uint64_t want;
  };
  const std::vector<Case> cases = {
      // no conflict, empty entries
      {{}, 0},
      // no conflict
      {IT({{1, 1}, {2, 2}, {3, 3}}), 0},
      {IT({{2, 2}, {3, 3}}), 0},
      {IT({{3, 3}}), 0},
      // no conflict, but new entries: the first new one
      {IT({{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 4}}), 4},
      {IT({{2, 2}, {3, 3}, {4, 4}, {5, 4}}), 4},
      {IT({{3, 3}, {4, 4}, {5, 4}}), 4},
      {IT({{4, 4}, {5, 4}}), 4},
      // conflicts with existing entries
      {IT({{1, 4}, {2, 4}}), 1},
      {IT({{2, 1}, {3, 4}, {4, 4}}), 2},
      {IT({{3, 1}, {4, 2}, {5, 4}, {6, 4}}), 3},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    MemoryStorage storage;
    RaftLog log(storage, kNoLimit);
    log.Append(kPrevious);
    EXPECT_EQ(log.FindConflict(cases[i].entries), cases[i].want);
  }
}

TEST(RaftLog, FindConflictByTerm) {
  struct Case {
    uint64_t index;
    uint64_t term;
    uint64_t want_index;
    uint64_t want_term;
  };
  {
    // A log from index 1 with terms 2 2 5 5 5.
    MemoryStorage storage;
    storage.Append(EntriesWithTerms({2, 2, 5, 5, 5}));
    RaftLog log(storage, kNoLimit);
    const Case cases[] = {
        {100, 2, 100, 0},  // beyond the log: unknown
        {5, 6, 5, 5},     {5, 5, 5, 5}, {5, 4, 2, 2}, {5, 2, 2, 2},
        {5, 1, 0, 0},     {1, 2, 1, 2}, {1, 1, 0, 0}, {0, 0, 0, 0},
    };
    for (size_t i = 0; i < std::size(cases); ++i) {
      SCOPED_TRACE(i);
      const auto [index, term] = log.FindConflictByTerm(cases[i].index, cases[i].term);
      EXPECT_EQ(index, cases[i].want_index);
      EXPECT_EQ(term, cases[i].want_term);
    }
  }
  {
    // A snapshot at 10 (term 3), then terms 3 3 4 4 4 at 11..15.
    MemoryStorage storage;
    Snapshot snap;
    snap.metadata.index = 10;
    snap.metadata.term = 3;
    ASSERT_TRUE(storage.ApplySnapshot(snap));
    storage.Append(EntriesWithTerms({3, 3, 4, 4, 4}, 11));
    RaftLog log(storage, kNoLimit);
    const Case cases[] = {
        {30, 3, 30, 0},                                                 // beyond the log
        {14, 9, 14, 4}, {14, 4, 14, 4}, {14, 3, 12, 3}, {14, 2, 9, 0},  // below the snapshot:
                                                                        // compacted, unknown
        {11, 5, 11, 3}, {10, 5, 10, 3}, {10, 3, 10, 3}, {10, 2, 9, 0}, {9, 2, 9, 0},
        {4, 2, 4, 0},   {0, 0, 0, 0},
    };
    for (size_t i = 0; i < std::size(cases); ++i) {
      SCOPED_TRACE(i);
      const auto [index, term] = log.FindConflictByTerm(cases[i].index, cases[i].term);
      EXPECT_EQ(index, cases[i].want_index);
      EXPECT_EQ(term, cases[i].want_term);
    }
  }
}

TEST(RaftLog, MaybeAppend) {
  const uint64_t last_index = 3;
  const uint64_t last_term = 3;
  const uint64_t commit = 1;
  struct Case {
    uint64_t log_term;
    uint64_t index;
    uint64_t committed;
    std::vector<Entry> entries;
    std::optional<uint64_t> want_last;  // nullopt: rejected
    uint64_t want_commit;
  };
  const std::vector<Case> cases = {
      // not match: term is different
      {last_term - 1, last_index, last_index, IT({{last_index + 1, 4}}), std::nullopt, commit},
      // not match: index out of bound
      {last_term, last_index + 1, last_index, IT({{last_index + 2, 4}}), std::nullopt, commit},
      // match with the last existing entry
      {last_term, last_index, last_index, {}, last_index, last_index},
      // do not increase commit higher than the last new entry
      {last_term, last_index, last_index + 1, {}, last_index, last_index},
      // commit up to the commit in the message
      {last_term, last_index, last_index - 1, {}, last_index, last_index - 1},
      // commit does not decrease
      {last_term, last_index, 0, {}, last_index, commit},
      {0, 0, last_index, {}, 0, commit},
      {last_term, last_index, last_index, IT({{last_index + 1, 4}}), last_index + 1, last_index},
      {last_term, last_index, last_index + 1, IT({{last_index + 1, 4}}), last_index + 1,
       last_index + 1},
      // do not increase commit higher than the last new entry
      {last_term, last_index, last_index + 2, IT({{last_index + 1, 4}}), last_index + 1,
       last_index + 1},
      {last_term, last_index, last_index + 2, IT({{last_index + 1, 4}, {last_index + 2, 4}}),
       last_index + 2, last_index + 2},
      // match with an entry in the middle
      {last_term - 1, last_index - 1, last_index, IT({{last_index, 4}}), last_index, last_index},
      {last_term - 2, last_index - 2, last_index, IT({{last_index - 1, 4}}), last_index - 1,
       last_index - 1},
      {last_term - 2, last_index - 2, last_index, IT({{last_index - 1, 4}, {last_index, 4}}),
       last_index, last_index},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    MemoryStorage storage;
    RaftLog log(storage, kNoLimit);
    log.Append(kPrevious);
    log.CommitTo(commit);
    const std::optional<uint64_t> last =
        log.MaybeAppend(c.index, c.log_term, c.committed, c.entries);
    EXPECT_EQ(last, c.want_last);
    EXPECT_EQ(log.committed(), c.want_commit);
    if (last && !c.entries.empty()) {
      StorageResult<std::vector<Entry>> got =
          log.Slice(*last - c.entries.size() + 1, *last + 1, kNoLimit);
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(*got, c.entries);
    }
  }
}

TEST(RaftLog, MaybeAppendRejectsConflictWithCommitted) {
  // The entry at 1 is committed; an append that matches at 0 and carries a
  // different term at 1 would rewrite it. That is a broken leader: fail-stop.
  EXPECT_DEATH(
      {
        MemoryStorage storage;
        RaftLog log(storage, kNoLimit);
        log.Append(kPrevious);
        log.CommitTo(1);
        log.MaybeAppend(0, 0, 3, IT({{1, 4}}));
      },
      "conflicts with committed entry");
}

TEST(RaftLog, CommitToBeyondLastIndexDies) {
  EXPECT_DEATH(
      {
        MemoryStorage storage;
        RaftLog log(storage, kNoLimit);
        log.Append(kPrevious);
        log.CommitTo(4);
      },
      "out of range");
}

TEST(RaftLog, CommitNeverDecreases) {
  MemoryStorage storage;
  RaftLog log(storage, kNoLimit);
  log.Append(kPrevious);
  log.CommitTo(3);
  log.CommitTo(1);
  EXPECT_EQ(log.committed(), 3u);
}

TEST(RaftLog, IsUpToDate) {
  MemoryStorage storage;
  RaftLog log(storage, kNoLimit);
  log.Append(kPrevious);
  const uint64_t last = log.LastIndex();
  struct Case {
    uint64_t index;
    uint64_t term;
    bool want;
  };
  const Case cases[] = {
      // a higher last term wins whatever the length
      {last - 1, 4, true},
      {last, 4, true},
      {last + 1, 4, true},
      // a lower last term loses whatever the length
      {last - 1, 2, false},
      {last, 2, false},
      {last + 1, 2, false},
      // same last term: the longer (or equal) log is at least as up to date
      {last - 1, 3, false},
      {last, 3, true},
      {last + 1, 3, true},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(log.IsUpToDate(cases[i].index, cases[i].term), cases[i].want);
  }
}

TEST(RaftLog, MaybeCommitOnlyCurrentTerm) {
  MemoryStorage storage;
  RaftLog log(storage, kNoLimit);
  log.Append(kPrevious);
  // The entry at 3 is from term 3: a term-2 leader cannot commit it by count.
  EXPECT_FALSE(log.MaybeCommit(3, 2));
  EXPECT_EQ(log.committed(), 0u);
  // Entry 2 is from term 2: committing it commits entry 1 as well.
  EXPECT_TRUE(log.MaybeCommit(2, 2));
  EXPECT_EQ(log.committed(), 2u);
  // Nothing beyond the commit index: no change.
  EXPECT_FALSE(log.MaybeCommit(1, 1));
  EXPECT_FALSE(log.MaybeCommit(2, 2));
  // An index past the log has no term.
  EXPECT_FALSE(log.MaybeCommit(4, 3));
  EXPECT_TRUE(log.MaybeCommit(3, 3));
  EXPECT_EQ(log.committed(), 3u);
}

TEST(RaftLog, TermAtCompactionBoundaries) {
  const uint64_t offset = 100;
  const uint64_t num = 100;
  MemoryStorage storage;
  Snapshot snap;
  snap.metadata.index = offset;
  snap.metadata.term = 1;
  ASSERT_TRUE(storage.ApplySnapshot(snap));
  RaftLog log(storage, kNoLimit);
  std::vector<Entry> ents;
  for (uint64_t i = 1; i < num; ++i) ents.push_back(MakeEntry(i, offset + i));
  log.Append(ents);
  EXPECT_EQ(log.FirstIndex(), offset + 1);
  EXPECT_EQ(log.LastIndex(), offset + num - 1);
  // Below the snapshot: compacted; the snapshot's own index keeps its term.
  EXPECT_EQ(Err(log.Term(offset - 1)), StorageError::kCompacted);
  EXPECT_EQ(log.Term(offset).value(), 1u);
  EXPECT_EQ(log.Term(offset + num / 2).value(), num / 2);
  EXPECT_EQ(log.Term(offset + num - 1).value(), num - 1);
  EXPECT_EQ(Err(log.Term(offset + num)), StorageError::kUnavailable);
  EXPECT_EQ(log.TermOrZero(offset + num), 0u);
}

TEST(RaftLog, TermWithUnstableSnapshot) {
  MemoryStorage storage;
  Snapshot stored;
  stored.metadata.index = 100;
  stored.metadata.term = 1;
  ASSERT_TRUE(storage.ApplySnapshot(stored));
  RaftLog log(storage, kNoLimit);
  Snapshot newer;
  newer.metadata.index = 105;
  newer.metadata.term = 5;
  log.Restore(newer);
  EXPECT_EQ(log.FirstIndex(), 106u);
  EXPECT_EQ(log.LastIndex(), 105u);
  EXPECT_EQ(log.committed(), 105u);
  EXPECT_EQ(Err(log.Term(100)), StorageError::kCompacted);
  EXPECT_EQ(Err(log.Term(104)), StorageError::kCompacted);
  EXPECT_EQ(log.Term(105).value(), 5u);
  EXPECT_EQ(Err(log.Term(106)), StorageError::kUnavailable);
  EXPECT_TRUE(log.HasNextOrInProgressSnapshot());
  EXPECT_TRUE(log.NextCommittedEntries().empty());  // apply the snapshot first
}

TEST(RaftLog, SliceSizeLimits) {
  const uint64_t offset = 100;
  const uint64_t num = 100;
  const uint64_t last = offset + num;
  const uint64_t half = offset + num / 2;
  const uint64_t size = EntrySize(MakeEntry(half, half));
  MemoryStorage storage;
  Snapshot snap;
  snap.metadata.index = offset;
  snap.metadata.term = offset;
  ASSERT_TRUE(storage.ApplySnapshot(snap));
  for (uint64_t i = 1; i < num / 2; ++i) storage.Append({MakeEntry(offset + i, offset + i)});
  RaftLog log(storage, kNoLimit);
  std::vector<Entry> unstable;
  for (uint64_t i = num / 2; i < num; ++i) unstable.push_back(MakeEntry(offset + i, offset + i));
  log.Append(unstable);
  ASSERT_EQ(log.LastIndex(), last - 1);

  const auto range = [](uint64_t lo, uint64_t hi) {
    std::vector<Entry> out;
    for (uint64_t i = lo; i < hi; ++i) out.push_back(MakeEntry(i, i));
    return out;
  };
  struct Case {
    uint64_t lo;
    uint64_t hi;
    uint64_t max_bytes;
    std::vector<Entry> want;
  };
  const std::vector<Case> cases = {
      // spanning storage and unstable
      {half - 1, half + 1, kNoLimit, range(half - 1, half + 1)},
      // only unstable, only storage
      {half, half + 1, kNoLimit, range(half, half + 1)},
      {half - 1, half, kNoLimit, range(half - 1, half)},
      {last - 1, last, kNoLimit, range(last - 1, last)},
      {offset + 1, offset + 2, kNoLimit, range(offset + 1, offset + 2)},
      // size limits: at least one entry, then whole entries within the limit
      {half - 1, half + 1, 0, range(half - 1, half)},
      {half - 2, half + 1, size + 1, range(half - 2, half - 1)},
      {half - 1, half + 1, size * 2, range(half - 1, half + 1)},
      {half - 2, half + 1, size * 3, range(half - 2, half + 1)},
      {half - 2, half + 1, size * 3 - 1, range(half - 2, half)},
      {half, half + 2, size + 1, range(half, half + 1)},
      {half, half + 2, size * 2, range(half, half + 2)},
      // empty range
      {half, half, kNoLimit, {}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    StorageResult<std::vector<Entry>> got = log.Slice(c.lo, c.hi, c.max_bytes);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, c.want);
  }
  EXPECT_EQ(Err(log.Slice(offset - 1, offset + 1, kNoLimit)), StorageError::kCompacted);
  EXPECT_EQ(Err(log.Slice(offset, offset + 1, kNoLimit)), StorageError::kCompacted);
}

TEST(RaftLog, NextCommittedEntriesFollowAppliedAndSizeLimit) {
  MemoryStorage storage;
  const uint64_t one = EntrySize(MakeEntry(1, 1));
  RaftLog log(storage, one * 2);
  log.Append(kPrevious);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  log.CommitTo(3);
  EXPECT_TRUE(log.HasNextCommittedEntries());
  EXPECT_EQ(log.NextCommittedEntries(), IT({{1, 1}, {2, 2}}));  // size-limited
  log.AppliedTo(2);
  EXPECT_EQ(log.NextCommittedEntries(), IT({{3, 3}}));
  log.AppliedTo(3);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_TRUE(log.NextCommittedEntries().empty());
}

TEST(RaftLog, StableToMovesEntriesOutOfUnstable) {
  MemoryStorage storage;
  RaftLog log(storage, kNoLimit);
  log.Append(kPrevious);
  EXPECT_EQ(log.UnstableEntries().size(), 3u);
  storage.Append(kPrevious);
  log.StableTo(2, 2);
  EXPECT_EQ(log.UnstableEntries(), IT({{3, 3}}));
  // A stale acknowledgement (wrong term) changes nothing.
  log.StableTo(3, 2);
  EXPECT_EQ(log.UnstableEntries(), IT({{3, 3}}));
  log.StableTo(3, 3);
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_EQ(log.AllEntries(), kPrevious);
}

TEST(RaftLog, AppendTruncatesConflictingUnstableSuffix) {
  MemoryStorage storage;
  RaftLog log(storage, kNoLimit);
  log.Append(kPrevious);
  EXPECT_EQ(log.Append(IT({{2, 4}})), 2u);
  EXPECT_EQ(log.AllEntries(), IT({{1, 1}, {2, 4}}));
  EXPECT_EQ(log.LastTerm(), 4u);
}

}  // namespace
}  // namespace raftlab::raft
