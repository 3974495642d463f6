// Golden-file tests over the datadriven format (sim/script/datadriven.h):
// each case's output is compared with what the handler returns; with
// REWRITE=1 in the environment the file is rewritten with the actual output
// (review the diff before committing).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/script/datadriven.h"

namespace raftlab::testing {

using script::CmdArg;
using script::TestData;

// Runs every case of `path` through `handler`; mismatches, malformed
// arguments and parse errors are gtest failures.
void RunTest(const std::string& path, const std::function<std::string(TestData&)>& handler);

// All files with the given suffix directly under `dir`, sorted by name.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);

// $RAFTLAB_SOURCE_DIR (set by ctest), or the compile-time source dir.
std::string SourceDir();

}  // namespace raftlab::testing
