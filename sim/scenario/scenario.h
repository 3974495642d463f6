// Scenario: a fault scenario as loaded from YAML (scenarios/README.md is the
// schema) — a SimConfig without its seed, plus what to check, which seeds to
// sweep and which bugs to plant. yaml-cpp stays inside loader.cc/writer.cc;
// everything else sees only these structs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bugs.h"
#include "core/base/result.h"
#include "sim/config.h"

namespace raftlab::sim {

// The violation families a run can report; a scenario names the ones it
// checks (all by default).
inline constexpr const char* kCheckerNames[] = {
    "raft", "linearizability", "liveness", "storage", "watch", "lease", "durability", "crash"};

struct Expectations {
  std::vector<std::string> checkers;  // empty: all of kCheckerNames
  // "" (no violation expected), "any", or a violation class prefix such as
  // "raft: election safety" — for bug scenarios.
  std::string violation;
  bool Checks(const std::string& family) const;
};

struct Scenario {
  std::string file;  // where it was loaded from ("" if built in code)
  std::string name;
  std::string description;
  SimConfig config;  // config.seed is set per run
  uint64_t seed_first = 1;
  uint64_t seed_last = 10;
  Expectations expect;
  BugSet bugs;
  bool swarm = false;
  std::string model = "etcd";  // linearizability model for the history
  TimeNs check_timeout = 10 * kSecond;
};

// Loads and validates a scenario file. Errors name the file, line and
// column and say what was expected.
Result<Scenario> LoadScenario(const std::string& path);
Result<Scenario> LoadScenarioFromString(const std::string& yaml, const std::string& file);

// Writes a scenario as YAML that LoadScenario reads back to the same
// scenario (schedules explicit, seeds as given).
std::string WriteScenario(const Scenario& s, const std::string& header_comment);

// The SimConfig for one seed: swarm mode draws the knobs from the seed.
SimConfig ConfigForSeed(const Scenario& s, uint64_t seed);

}  // namespace raftlab::sim
