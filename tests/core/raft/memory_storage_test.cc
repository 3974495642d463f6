// MemoryStorage: the in-memory durable log. Tables follow etcd-io/raft's
// storage_test.go: a log whose snapshot is at 3 (term 3) with entries 4 and 5.
#include "core/raft/memory_storage.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/base/check.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

std::vector<Entry> IT(std::initializer_list<std::pair<uint64_t, uint64_t>> pairs) {
  std::vector<Entry> out;
  for (const auto& [index, term] : pairs) out.push_back(MakeEntry(term, index));
  return out;
}

template <class T>
std::optional<StorageError> Err(const StorageResult<T>& r) {
  if (r.has_value()) return std::nullopt;
  return r.error();
}

// Snapshot at (3, 3), then `rest` appended.
std::unique_ptr<MemoryStorage> Make(const std::vector<Entry>& rest) {
  auto s = std::make_unique<MemoryStorage>();
  Snapshot snap;
  snap.metadata.index = 3;
  snap.metadata.term = 3;
  CHECK(s->ApplySnapshot(snap));
  s->Append(rest);
  return s;
}

// Terms of indexes FirstIndex()-1 .. LastIndex().
std::vector<Entry> Dump(const MemoryStorage& s) {
  std::vector<Entry> out;
  for (uint64_t i = s.FirstIndex() - 1; i <= s.LastIndex(); ++i) {
    out.push_back(MakeEntry(s.Term(i).value(), i));
  }
  return out;
}

TEST(MemoryStorage, Term) {
  auto s = Make(IT({{4, 4}, {5, 5}}));
  EXPECT_EQ(Err(s->Term(2)), StorageError::kCompacted);
  EXPECT_EQ(s->Term(3).value(), 3u);
  EXPECT_EQ(s->Term(4).value(), 4u);
  EXPECT_EQ(s->Term(5).value(), 5u);
  EXPECT_EQ(Err(s->Term(6)), StorageError::kUnavailable);
}

TEST(MemoryStorage, EntriesSizeLimit) {
  auto s = Make(IT({{4, 4}, {5, 5}, {6, 6}}));
  const uint64_t one = EntrySize(MakeEntry(4, 4));
  struct Case {
    uint64_t lo;
    uint64_t hi;
    uint64_t max_bytes;
    std::optional<StorageError> want_error;
    std::vector<Entry> want;
  };
  const std::vector<Case> cases = {
      {2, 6, kNoLimit, StorageError::kCompacted, {}},
      {3, 4, kNoLimit, StorageError::kCompacted, {}},
      {4, 5, kNoLimit, std::nullopt, IT({{4, 4}})},
      {4, 6, kNoLimit, std::nullopt, IT({{4, 4}, {5, 5}})},
      {4, 7, kNoLimit, std::nullopt, IT({{4, 4}, {5, 5}, {6, 6}})},
      {4, 8, kNoLimit, StorageError::kUnavailable, {}},
      // even if max_bytes is 0, the first entry is returned
      {4, 7, 0, std::nullopt, IT({{4, 4}})},
      // limit to 2 entries, exactly or with slack below a third
      {4, 7, one * 2, std::nullopt, IT({{4, 4}, {5, 5}})},
      {4, 7, one * 2 + one / 2, std::nullopt, IT({{4, 4}, {5, 5}})},
      {4, 7, one * 3 - 1, std::nullopt, IT({{4, 4}, {5, 5}})},
      // all
      {4, 7, one * 3, std::nullopt, IT({{4, 4}, {5, 5}, {6, 6}})},
      // empty range
      {5, 5, kNoLimit, std::nullopt, {}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    StorageResult<std::vector<Entry>> got = s->Entries(c.lo, c.hi, c.max_bytes);
    EXPECT_EQ(Err(got), c.want_error);
    if (got) {
      EXPECT_EQ(*got, c.want);
    }
  }
}

TEST(MemoryStorage, EntriesSizeCountsPayload) {
  auto s = Make({MakeEntry(4, 4, std::string(100, 'x')), MakeEntry(4, 5, "y")});
  // The first entry alone exceeds 50 bytes: it is returned, alone.
  EXPECT_EQ(s->Entries(4, 6, 50)->size(), 1u);
  EXPECT_EQ(s->Entries(4, 6, 100 + 16 + 1 + 16)->size(), 2u);
  EXPECT_EQ(s->Entries(4, 6, 100 + 16 + 1 + 15)->size(), 1u);
}

TEST(MemoryStorage, FirstAndLastIndex) {
  auto s = Make(IT({{4, 4}, {5, 5}}));
  EXPECT_EQ(s->FirstIndex(), 4u);
  EXPECT_EQ(s->LastIndex(), 5u);
  s->Append(IT({{6, 5}}));
  EXPECT_EQ(s->LastIndex(), 6u);
  ASSERT_TRUE(s->Compact(4).has_value());
  EXPECT_EQ(s->FirstIndex(), 5u);
  EXPECT_EQ(s->LastIndex(), 6u);
}

TEST(MemoryStorage, Compact) {
  struct Case {
    uint64_t i;
    std::optional<StorageError> want_error;
    uint64_t want_index;  // the new snapshot index (FirstIndex() - 1)
    uint64_t want_term;
    size_t want_len;  // entries from the snapshot index to the last
  };
  const Case cases[] = {
      {2, StorageError::kCompacted, 3, 3, 3},
      {3, StorageError::kCompacted, 3, 3, 3},
      {4, std::nullopt, 4, 4, 2},
      {5, std::nullopt, 5, 5, 1},
  };
  for (size_t k = 0; k < std::size(cases); ++k) {
    SCOPED_TRACE(k);
    const Case& c = cases[k];
    auto s = Make(IT({{4, 4}, {5, 5}}));
    StorageResult<void> r = s->Compact(c.i);
    EXPECT_EQ(r.has_value() ? std::nullopt : std::optional(r.error()), c.want_error);
    EXPECT_EQ(s->FirstIndex() - 1, c.want_index);
    EXPECT_EQ(s->Term(c.want_index).value(), c.want_term);
    EXPECT_EQ(Dump(*s).size(), c.want_len);
    EXPECT_EQ(s->LastIndex(), 5u);
  }
}

TEST(MemoryStorage, CreateSnapshot) {
  const ConfState cs = Voters({1, 2, 3});
  for (uint64_t i : {4u, 5u}) {
    SCOPED_TRACE(i);
    auto s = Make(IT({{4, 4}, {5, 5}}));
    StorageResult<Snapshot> snap = s->CreateSnapshot(i, cs, "data");
    ASSERT_TRUE(snap.has_value());
    EXPECT_EQ(snap->metadata.index, i);
    EXPECT_EQ(snap->metadata.term, i);
    EXPECT_EQ(snap->metadata.conf_state, cs);
    EXPECT_EQ(snap->data, "data");
    EXPECT_EQ(s->GetSnapshot().value(), *snap);
    // The log is not compacted by taking a snapshot.
    EXPECT_EQ(s->FirstIndex(), 4u);
  }
  auto s = Make(IT({{4, 4}, {5, 5}}));
  EXPECT_EQ(Err(s->CreateSnapshot(3, cs, "")), StorageError::kCompacted);
}

TEST(MemoryStorage, CreateSnapshotBelowCompactedIndex) {
  // No snapshot yet (index 0), entries 1..10, then compacted up to 8.
  MemoryStorage s;
  s.Append(EntriesWithTerms({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  ASSERT_TRUE(s.Compact(8).has_value());
  EXPECT_EQ(Err(s.CreateSnapshot(5, Voters({1}), "")), StorageError::kCompacted);
  // At the compaction point itself the term is still known.
  StorageResult<Snapshot> at8 = s.CreateSnapshot(8, Voters({1}), "");
  ASSERT_TRUE(at8.has_value());
  EXPECT_EQ(at8->metadata.term, 8u);
}

TEST(MemoryStorage, AppendTruncates) {
  struct Case {
    std::vector<Entry> append;
    std::vector<Entry> want;  // from the snapshot entry (3, 3)
  };
  const std::vector<Case> cases = {
      // entirely below the first index: ignored
      {IT({{1, 1}, {2, 2}}), IT({{3, 3}, {4, 4}, {5, 5}})},
      {IT({{3, 3}, {4, 4}, {5, 5}}), IT({{3, 3}, {4, 4}, {5, 5}})},
      // overwrite conflicting entries
      {IT({{3, 3}, {4, 6}, {5, 6}}), IT({{3, 3}, {4, 6}, {5, 6}})},
      {IT({{3, 3}, {4, 4}, {5, 5}, {6, 5}}), IT({{3, 3}, {4, 4}, {5, 5}, {6, 5}})},
      // skip the compacted part of the incoming entries, truncate, append
      {IT({{2, 3}, {3, 3}, {4, 5}}), IT({{3, 3}, {4, 5}})},
      // truncate the existing entries and append
      {IT({{4, 5}}), IT({{3, 3}, {4, 5}})},
      // direct append
      {IT({{6, 5}}), IT({{3, 3}, {4, 4}, {5, 5}, {6, 5}})},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto s = Make(IT({{4, 4}, {5, 5}}));
    s->Append(cases[i].append);
    EXPECT_EQ(Dump(*s), cases[i].want);
  }
}

TEST(MemoryStorage, AppendWithGapDies) {
  auto s = Make(IT({{4, 4}, {5, 5}}));
  EXPECT_DEATH(s->Append(IT({{7, 5}})), "CHECK failed");
}

TEST(MemoryStorage, ApplySnapshot) {
  auto s = Make(IT({{4, 4}, {5, 5}}));
  Snapshot newer;
  newer.metadata.index = 7;
  newer.metadata.term = 6;
  newer.metadata.conf_state = Voters({1, 2});
  ASSERT_TRUE(s->ApplySnapshot(newer));
  EXPECT_EQ(s->FirstIndex(), 8u);
  EXPECT_EQ(s->LastIndex(), 7u);
  EXPECT_EQ(s->Term(7).value(), 6u);
  EXPECT_EQ(Err(s->Term(5)), StorageError::kCompacted);
  EXPECT_EQ(s->GetInitialState().conf_state, Voters({1, 2}));
  // An older (or the same) snapshot is refused and changes nothing.
  Snapshot older;
  older.metadata.index = 6;
  older.metadata.term = 6;
  EXPECT_FALSE(s->ApplySnapshot(older));
  EXPECT_FALSE(s->ApplySnapshot(newer));
  EXPECT_EQ(s->FirstIndex(), 8u);
  EXPECT_EQ(s->GetSnapshot().value(), newer);
}

TEST(MemoryStorage, SnapshotTemporarilyUnavailable) {
  auto s = Make({});
  s->set_snapshot_unavailable(true);
  EXPECT_EQ(Err(s->GetSnapshot()), StorageError::kSnapshotTemporarilyUnavailable);
  s->set_snapshot_unavailable(false);
  EXPECT_TRUE(s->GetSnapshot().has_value());
}

}  // namespace
}  // namespace raftlab::raft
