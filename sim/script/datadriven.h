// The datadriven script format (cockroachdb/datadriven, as used by
// etcd-io/raft's interaction tests), parsed and rendered without any test
// framework so that both the golden-file tests and `raftlab raft-script`
// share it:
//
//   # comments and blank lines between cases are kept on rewrite
//   command arg1 key=value key=(v1,v2)
//   optional input lines
//   ----
//   expected output
//
// An output containing blank lines is written between "----\n----" and
// "----\n----".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace raftlab::script {

struct CmdArg {
  std::string key;
  std::vector<std::string> values;  // empty for a bare flag

  // The single value; records an error (and returns "") if there is not exactly one.
  const std::string& Value() const;
  mutable std::vector<std::string>* errors = nullptr;
};

struct TestData {
  std::string file;
  int line = 0;  // of the command
  std::string cmd;
  std::vector<CmdArg> args;
  std::string input;     // lines between the command and "----", joined with '\n'
  std::string expected;  // without the trailing newline
  // Malformed arguments found by the typed lookups below; the runner reports them.
  mutable std::vector<std::string> errors;

  std::string Pos() const { return file + ":" + std::to_string(line); }
  bool HasArg(const std::string& key) const;
  const CmdArg* FindArg(const std::string& key) const;
  uint64_t ArgUint(const std::string& key, uint64_t fallback) const;
  std::string ArgString(const std::string& key, const std::string& fallback) const;
  bool ArgBool(const std::string& key, bool fallback) const;
  // The command line as written (for echoing a script).
  std::string CommandLine() const;
};

// A parsed script: the cases plus what is needed to rewrite the file.
struct Script {
  std::string path;
  std::vector<std::string> lines;
  struct Case {
    TestData data;
    size_t output_begin = 0;  // first output line
    size_t output_end = 0;    // one past the case's last line
    bool blank_block = false;
  };
  std::vector<Case> cases;
};

// Parses a script; errors name the file and line.
Result<Script> ParseScript(const std::string& path, const std::string& text);
Result<Script> ReadScript(const std::string& path);

// The file text with each case's output replaced by outputs[i].
std::string RewriteScript(const Script& script, const std::vector<std::string>& outputs);

// Renders one case as it appears in a script: command, input, "----", output.
std::string RenderCase(const TestData& data, const std::string& output);

}  // namespace raftlab::script
