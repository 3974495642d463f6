#include "core/base/bugs.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace raftlab {
namespace {

TEST(Bugs, NamesAreUniqueAndRoundTrip) {
  std::set<std::string> names;
  std::set<std::string> numbers;
  for (const BugInfo& info : AllBugs()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_TRUE(numbers.insert(info.bnumber).second) << info.bnumber;
    ASSERT_TRUE(BugFromName(info.name).has_value()) << info.name;
    EXPECT_EQ(*BugFromName(info.name), info.bug);
    EXPECT_EQ(&InfoOf(info.bug), &info);
  }
  EXPECT_GE(names.size(), 20U);  // the bug zoo's minimum
  EXPECT_FALSE(BugFromName("no-such-bug").has_value());
}

TEST(Bugs, SetHoldsExactlyWhatWasAdded) {
  BugSet set;
  EXPECT_TRUE(set.empty());
  set.Add(Bug::kMatchRegress);
  set.Add(Bug::kCommitPrevTerm);
  EXPECT_TRUE(set.Has(Bug::kCommitPrevTerm));
  EXPECT_TRUE(set.Has(Bug::kMatchRegress));
  EXPECT_FALSE(set.Has(Bug::kNoPreVote));
  EXPECT_EQ(set.ToString(), "commit-prev-term,match-regress");
}

}  // namespace
}  // namespace raftlab
