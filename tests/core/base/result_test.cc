#include "core/base/result.h"

#include <gtest/gtest.h>

namespace raftlab {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return MakeError(ErrorCode::kInvalidArgument, "expected a positive number");
  return x;
}

Result<int> Twice(int x) {
  RAFTLAB_RETURN_IF_ERROR(ParsePositive(x));
  return 2 * x;
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*Twice(4), 8);
  Result<int> bad = Twice(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().ToString(), "invalid argument: expected a positive number");
}

}  // namespace
}  // namespace raftlab
