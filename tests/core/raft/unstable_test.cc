// Unstable: the not-yet-persisted tail of the log (and snapshot).
// Tables follow etcd-io/raft's log_unstable_test.go.
#include "core/raft/unstable.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

std::vector<Entry> IT(std::initializer_list<std::pair<uint64_t, uint64_t>> pairs) {
  std::vector<Entry> out;
  for (const auto& [index, term] : pairs) out.push_back(MakeEntry(term, index));
  return out;
}

std::optional<Snapshot> Snap(uint64_t index, uint64_t term) {
  Snapshot s;
  s.metadata.index = index;
  s.metadata.term = term;
  return s;
}

// An Unstable holding `snapshot` (if any) and then `entries` from `offset`.
Unstable Make(const std::vector<Entry>& entries, uint64_t offset,
              const std::optional<Snapshot>& snapshot) {
  Unstable u;
  if (snapshot) u.Restore(*snapshot);
  u.set_offset(offset);
  if (!entries.empty()) u.TruncateAndAppend(entries);
  return u;
}

TEST(Unstable, MaybeFirstIndex) {
  EXPECT_EQ(Make(IT({{5, 1}}), 5, std::nullopt).MaybeFirstIndex(), std::nullopt);
  EXPECT_EQ(Make({}, 0, std::nullopt).MaybeFirstIndex(), std::nullopt);
  EXPECT_EQ(Make(IT({{5, 1}}), 5, Snap(4, 1)).MaybeFirstIndex(), 5u);
  EXPECT_EQ(Make({}, 5, Snap(4, 1)).MaybeFirstIndex(), 5u);
}

TEST(Unstable, MaybeLastIndex) {
  EXPECT_EQ(Make(IT({{5, 1}}), 5, std::nullopt).MaybeLastIndex(), 5u);
  EXPECT_EQ(Make(IT({{5, 1}}), 5, Snap(4, 1)).MaybeLastIndex(), 5u);
  EXPECT_EQ(Make({}, 5, Snap(4, 1)).MaybeLastIndex(), 4u);
  EXPECT_EQ(Make({}, 0, std::nullopt).MaybeLastIndex(), std::nullopt);
}

TEST(Unstable, MaybeTerm) {
  struct Case {
    std::vector<Entry> entries;
    uint64_t offset;
    std::optional<Snapshot> snap;
    uint64_t index;
    std::optional<uint64_t> want;
  };
  const std::vector<Case> cases = {
      // term from entries
      {IT({{5, 1}}), 5, std::nullopt, 5, 1u},
      {IT({{5, 1}}), 5, std::nullopt, 6, std::nullopt},
      {IT({{5, 1}}), 5, std::nullopt, 4, std::nullopt},
      {IT({{5, 1}}), 5, Snap(4, 1), 5, 1u},
      {IT({{5, 1}}), 5, Snap(4, 1), 6, std::nullopt},
      // term from the snapshot
      {IT({{5, 1}}), 5, Snap(4, 1), 4, 1u},
      {IT({{5, 1}}), 5, Snap(4, 1), 3, std::nullopt},
      {{}, 5, Snap(4, 1), 5, std::nullopt},
      {{}, 5, Snap(4, 1), 4, 1u},
      {{}, 0, std::nullopt, 5, std::nullopt},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    EXPECT_EQ(Make(c.entries, c.offset, c.snap).MaybeTerm(c.index), c.want);
  }
}

TEST(Unstable, Restore) {
  Unstable u = Make(IT({{5, 1}}), 5, Snap(4, 1));
  u.Restore(*Snap(6, 2));
  EXPECT_EQ(u.offset(), 7u);
  EXPECT_TRUE(u.entries().empty());
  ASSERT_TRUE(u.snapshot().has_value());
  EXPECT_EQ(u.snapshot()->metadata.index, 6u);
  EXPECT_EQ(u.MaybeLastIndex(), 6u);
}

TEST(Unstable, StableTo) {
  struct Case {
    std::vector<Entry> entries;
    uint64_t offset;
    std::optional<Snapshot> snap;
    uint64_t index;
    uint64_t term;
    uint64_t want_offset;
    size_t want_len;
  };
  const std::vector<Case> cases = {
      {{}, 0, std::nullopt, 5, 1, 0, 0},
      {IT({{5, 1}}), 5, std::nullopt, 5, 1, 6, 0},  // stable to the first entry
      {IT({{5, 1}, {6, 1}}), 5, std::nullopt, 5, 1, 6, 1},
      {IT({{6, 2}}), 6, std::nullopt, 6, 1, 6, 1},  // term mismatch: ignored
      {IT({{5, 1}}), 5, std::nullopt, 4, 1, 5, 1},  // stable to an old entry
      {IT({{5, 1}}), 5, std::nullopt, 4, 2, 5, 1},
      // with a snapshot
      {IT({{5, 1}}), 5, Snap(4, 1), 5, 1, 6, 0},
      {IT({{5, 1}, {6, 1}}), 5, Snap(4, 1), 5, 1, 6, 1},
      {IT({{6, 2}}), 6, Snap(5, 1), 6, 1, 6, 1},  // term mismatch
      {IT({{5, 1}}), 5, Snap(4, 1), 4, 1, 5, 1},  // the snapshot's index
      {IT({{5, 2}}), 5, Snap(4, 2), 4, 1, 5, 1},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    Unstable u = Make(c.entries, c.offset, c.snap);
    u.StableTo(c.index, c.term);
    EXPECT_EQ(u.offset(), c.want_offset);
    EXPECT_EQ(u.entries().size(), c.want_len);
  }
}

TEST(Unstable, TruncateAndAppend) {
  struct Case {
    std::vector<Entry> entries;
    uint64_t offset;
    std::vector<Entry> append;
    uint64_t want_offset;
    std::vector<Entry> want;
  };
  const std::vector<Case> cases = {
      // append to the end
      {IT({{5, 1}}), 5, IT({{6, 1}, {7, 1}}), 5, IT({{5, 1}, {6, 1}, {7, 1}})},
      // replace everything unstable
      {IT({{5, 1}}), 5, IT({{5, 2}, {6, 2}}), 5, IT({{5, 2}, {6, 2}})},
      {IT({{5, 1}}), 5, IT({{4, 2}, {5, 2}, {6, 2}}), 4, IT({{4, 2}, {5, 2}, {6, 2}})},
      // truncate the suffix and append
      {IT({{5, 1}, {6, 1}, {7, 1}}), 5, IT({{6, 2}}), 5, IT({{5, 1}, {6, 2}})},
      {IT({{5, 1}, {6, 1}, {7, 1}}), 5, IT({{7, 2}, {8, 2}}), 5,
       IT({{5, 1}, {6, 1}, {7, 2}, {8, 2}})},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    Unstable u = Make(c.entries, c.offset, std::nullopt);
    u.TruncateAndAppend(c.append);
    EXPECT_EQ(u.offset(), c.want_offset);
    EXPECT_EQ(u.entries(), c.want);
  }
}

TEST(Unstable, StableSnapTo) {
  Unstable u = Make({}, 5, Snap(4, 1));
  u.StableSnapTo(3);  // another snapshot: ignored
  EXPECT_TRUE(u.snapshot().has_value());
  u.StableSnapTo(4);
  EXPECT_FALSE(u.snapshot().has_value());
}

TEST(Unstable, Slice) {
  Unstable u = Make(IT({{5, 1}, {6, 1}, {7, 2}}), 5, std::nullopt);
  EXPECT_EQ(u.Slice(5, 8), IT({{5, 1}, {6, 1}, {7, 2}}));
  EXPECT_EQ(u.Slice(6, 7), IT({{6, 1}}));
  EXPECT_TRUE(u.Slice(7, 7).empty());
  EXPECT_DEATH(u.Slice(4, 6), "CHECK failed");
  EXPECT_DEATH(u.Slice(6, 9), "CHECK failed");
}

}  // namespace
}  // namespace raftlab::raft
