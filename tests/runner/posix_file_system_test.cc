// runner/posix_file_system.h on a real temporary directory: the
// FileSystem contract, the lock, and errors that name the path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "runner/posix_file_system.h"

namespace raftlab::runner {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/raftlab-fs-test-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PosixFileSystemTest, AppendReadTruncateRenameRemove) {
  Result<std::unique_ptr<PosixFileSystem>> fs = PosixFileSystem::Open(dir_ + "/d");
  ASSERT_TRUE(fs.has_value()) << fs.error().message;
  PosixFileSystem& f = **fs;
  ASSERT_TRUE(f.Append("a", "hello ").has_value());
  ASSERT_TRUE(f.Append("a", "world").has_value());
  ASSERT_TRUE(f.Sync("a").has_value());
  EXPECT_EQ(*f.Read("a"), "hello world");
  ASSERT_TRUE(f.Truncate("a", 5).has_value());
  EXPECT_EQ(*f.Read("a"), "hello");
  ASSERT_TRUE(f.Rename("a", "b").has_value());
  EXPECT_FALSE(f.Exists("a"));
  EXPECT_EQ(f.List(), std::vector<std::string>{"b"});  // the lock file is not listed
  ASSERT_TRUE(f.Append("b", "!").has_value());        // appends after a rename reopen
  EXPECT_EQ(*f.Read("b"), "hello!");
  ASSERT_TRUE(f.Remove("b").has_value());
  EXPECT_TRUE(f.List().empty());
  const auto missing = f.Read("b");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find(dir_ + "/d/b"), std::string::npos);
}

TEST_F(PosixFileSystemTest, ASecondProcessCannotOpenTheSameDirectory) {
  Result<std::unique_ptr<PosixFileSystem>> first = PosixFileSystem::Open(dir_);
  ASSERT_TRUE(first.has_value());
  // flock(2) locks are per open file description: a second Open conflicts
  // as another process would.
  const auto second = PosixFileSystem::Open(dir_);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
  first->reset();
  EXPECT_TRUE(PosixFileSystem::Open(dir_).has_value());
}

TEST_F(PosixFileSystemTest, ErrorsNameThePath) {
  const auto bad = PosixFileSystem::Open(dir_ + "/no/such/parent");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("no/such/parent"), std::string::npos);
}

}  // namespace
}  // namespace raftlab::runner
