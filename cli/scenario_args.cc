#include "cli/scenario_args.h"

#include <cstdio>

#include <fmt/format.h>

namespace raftlab::cli {

Result<sim::Scenario> LoadWithBugs(const std::string& path, const BugFlags& flags) {
  Result<sim::Scenario> s = sim::LoadScenario(path);
  if (!s) return s;
  if (flags.without_bugs) s->bugs = BugSet{};
  for (const std::string& name : flags.bugs) {
    const std::optional<Bug> bug = BugFromName(name);
    if (!bug) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("--bug {}: unknown bug; `raftlab zoo --list` names them", name));
    }
    s->bugs.Add(*bug);
  }
  return s;
}

Result<std::pair<uint64_t, uint64_t>> ParseSeedRange(const std::string& text) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("--seeds: expected A..B such as 1..100, got '{}'", text));
  };
  const size_t dots = text.find("..");
  try {
    size_t pos = 0;
    if (dots == std::string::npos) {
      const uint64_t v = std::stoull(text, &pos);
      if (pos != text.size()) return bad();
      return std::make_pair(v, v);
    }
    const uint64_t a = std::stoull(text.substr(0, dots), &pos);
    if (pos != dots) return bad();
    const std::string rest = text.substr(dots + 2);
    const uint64_t b = std::stoull(rest, &pos);
    if (pos != rest.size() || a > b) return bad();
    return std::make_pair(a, b);
  } catch (...) {
    return bad();
  }
}

Result<std::pair<uint64_t, uint64_t>> ParseShard(const std::string& text) {
  unsigned long i = 0;
  unsigned long n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lu/%lu%c", &i, &n, &tail) != 2 || n == 0 || i >= n) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("--shard: expected I/N with 0 <= I < N such as 0/4, got '{}'", text));
  }
  return std::make_pair(static_cast<uint64_t>(i), static_cast<uint64_t>(n));
}

std::string ReproduceCommand(const std::string& file, uint64_t seed, const BugFlags& flags) {
  std::string cmd = fmt::format("raftlab replay {} --seed {}", file, seed);
  if (flags.without_bugs) cmd += " --without-bugs";
  for (const std::string& b : flags.bugs) cmd += " --bug " + b;
  return cmd;
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
}

}  // namespace raftlab::cli
