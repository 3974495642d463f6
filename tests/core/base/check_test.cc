// CHECK prints both operands, and a failure handler sees the full message.
#include "core/base/check.h"

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace raftlab {
namespace {

TEST(CheckDeathTest, CheckEqPrintsBothOperandsAndExpression) {
  const int leaders = 2;
  EXPECT_DEATH(CHECK_EQ(leaders, 1), "CHECK failed: leaders == 1 \\(2 vs 1\\)");
}

TEST(CheckDeathTest, PlainCheckNamesTheCondition) {
  const bool durable = false;
  EXPECT_DEATH(CHECK(durable), "CHECK failed: durable");
}

TEST(CheckDeathTest, HandlerReceivesMessage) {
  EXPECT_EXIT(
      {
        SetCheckFailureHandler([](const std::string& message) {
          std::fprintf(stderr, "handler saw [%s]\n", message.c_str());
          std::_Exit(129);
        });
        CHECK_LT(5, 3);
      },
      ::testing::ExitedWithCode(129), "handler saw \\[.*CHECK failed: 5 < 3 \\(5 vs 3\\)\\]");
}

TEST(Check, PassingChecksEvaluateOperandsOnce) {
  int calls = 0;
  auto next = [&] { return ++calls; };
  CHECK_EQ(next(), 1);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace raftlab
