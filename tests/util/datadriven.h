// A datadriven golden-file runner in the format of cockroachdb/datadriven, as
// used by etcd-io/raft's interaction tests:
//
//   # comments and blank lines between cases are kept on rewrite
//   command arg1 key=value key=(v1,v2)
//   optional input lines
//   ----
//   expected output
//
// An expected output that contains blank lines is written between
// "----\n----" and "----\n----". Running with REWRITE=1 in the environment
// replaces every expected output with the actual one (review the diff).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace raftlab::testing {

struct CmdArg {
  std::string key;
  std::vector<std::string> values;  // empty for a bare flag

  // The single value; fails the test if there is not exactly one.
  const std::string& Value() const;
};

struct TestData {
  std::string file;
  int line = 0;  // of the command
  std::string cmd;
  std::vector<CmdArg> args;
  std::string input;     // lines between the command and "----", joined with '\n'
  std::string expected;  // without the trailing newline

  std::string Pos() const { return file + ":" + std::to_string(line); }
  bool HasArg(const std::string& key) const;
  const CmdArg* FindArg(const std::string& key) const;
  // Typed lookups; a missing or malformed value fails the test with Pos().
  uint64_t ArgUint(const std::string& key, uint64_t fallback) const;
  std::string ArgString(const std::string& key, const std::string& fallback) const;
  bool ArgBool(const std::string& key, bool fallback) const;
};

// Runs every case of `path` through `handler`, comparing (or, with REWRITE=1,
// rewriting) the expected output. Reports mismatches as gtest failures.
void RunTest(const std::string& path, const std::function<std::string(TestData&)>& handler);

// All files with the given suffix directly under `dir`, sorted by name.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);

// $RAFTLAB_SOURCE_DIR (set by ctest), or the compile-time source dir.
std::string SourceDir();

}  // namespace raftlab::testing
