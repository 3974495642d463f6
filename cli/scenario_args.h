// Shared pieces of the scenario commands (run, replay, shrink, zoo):
// loading a scenario with the command line's bugs applied, parsing seed
// ranges and shards, and the reproduce command printed for a failing seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "sim/scenario/scenario.h"

namespace raftlab::cli {

struct BugFlags {
  std::vector<std::string> bugs;  // --bug NAME (repeatable)
  bool without_bugs = false;      // --without-bugs: ignore the scenario's bugs
};

// Loads `path` and applies the bug flags. Errors name the file (and the
// unknown bug).
Result<sim::Scenario> LoadWithBugs(const std::string& path, const BugFlags& flags);

// "7" or "1..100".
Result<std::pair<uint64_t, uint64_t>> ParseSeedRange(const std::string& text);
// "I/N" with 0 <= I < N.
Result<std::pair<uint64_t, uint64_t>> ParseShard(const std::string& text);

// The exact command that reruns one seed with the same bugs.
std::string ReproduceCommand(const std::string& file, uint64_t seed, const BugFlags& flags);

// Prints `error: message` on stderr.
void PrintError(const std::string& message);

}  // namespace raftlab::cli
