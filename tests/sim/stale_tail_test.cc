// The stale-tail check (sim/stale_tail.h) on hand-built logs: it must name a
// follower entry beyond an accepted append that the leader has differently
// or lacks, and stay quiet when the tail is the leader's.
#include "sim/stale_tail.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/raft/config.h"
#include "core/raft/memory_storage.h"

namespace raftlab::sim {
namespace {

std::vector<raft::Entry> Terms(const std::vector<uint64_t>& terms) {
  std::vector<raft::Entry> out;
  for (size_t i = 0; i < terms.size(); ++i) out.push_back(raft::Entry{terms[i], i + 1, raft::EntryType::kNormal, ""});
  return out;
}

raft::Message AppendAfter(uint64_t index, uint64_t log_term, size_t entries) {
  raft::Message m;
  m.type = raft::MessageType::kApp;
  m.from = 2;
  m.to = 1;
  m.term = 3;
  m.index = index;
  m.log_term = log_term;
  for (size_t i = 0; i < entries; ++i) m.entries.push_back(raft::Entry{3, index + 1 + i, raft::EntryType::kNormal, ""});
  return m;
}

TEST(StaleTail, ATailTheLeaderHasDifferentlyIsReported) {
  // B02's precondition: the append verified up to index 2, the follower
  // still holds 1/3 and 1/4 from an abandoned term; the leader has 3/3.
  raft::MemoryStorage fs, ls;
  fs.Append(Terms({1, 1, 1, 1}));
  ls.Append(Terms({1, 1, 3}));
  raft::RaftLog follower(fs, raft::kNoLimit), leader(ls, raft::kNoLimit);
  const std::optional<std::string> v = CheckStaleTail(AppendAfter(1, 1, 0), follower, leader);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "stale tail kept after an accepted append: node 1 accepted 0 entries after 1/1 "
                "from node 2 (term 3) but holds 1/3, which the leader has as 3/3");
}

TEST(StaleTail, ATailTheLeaderLacksIsReported) {
  raft::MemoryStorage fs, ls;
  fs.Append(Terms({1, 1, 2}));
  ls.Append(Terms({1, 1}));
  raft::RaftLog follower(fs, raft::kNoLimit), leader(ls, raft::kNoLimit);
  const std::optional<std::string> v = CheckStaleTail(AppendAfter(1, 1, 1), follower, leader);
  ASSERT_TRUE(v.has_value());
  EXPECT_NE(v->find("holds 2/3, which the leader lacks"), std::string::npos) << *v;
}

TEST(StaleTail, TheLeadersOwnEntriesBeyondTheAppendAreFine) {
  // A late duplicate of an old append: the follower already has more of the
  // leader's log beyond it.
  raft::MemoryStorage fs, ls;
  fs.Append(Terms({1, 1, 3, 3, 3}));
  ls.Append(Terms({1, 1, 3, 3, 3, 3}));
  raft::RaftLog follower(fs, raft::kNoLimit), leader(ls, raft::kNoLimit);
  EXPECT_EQ(CheckStaleTail(AppendAfter(2, 1, 1), follower, leader), std::nullopt);
}

}  // namespace
}  // namespace raftlab::sim
