// Shrinker: turns a failing (scenario, seed) into a smaller scenario that
// still fails with the same violation class on that seed. First the random
// nemesis is replaced by the explicit schedule of faults it fired (so the
// reproducer stays meaningful when code changes move the random draws), then
// greedy passes remove fault events, shorten faults and the run, drop
// clients, nodes and network noise, keeping each change only if the
// violation class survives. Candidates run isolated: a CHECK failure is a
// result, not the end of the shrink.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/base/result.h"
#include "sim/scenario/scenario.h"
#include "sweep/seed_runner.h"

namespace raftlab::sweep {

struct ShrinkSize {
  size_t faults = 0;  // fault events (a nemesis counts what it fired)
  int clients = 0;
  int nodes = 0;
  sim::TimeNs duration = 0;
  uint64_t ops = 0;
};

struct ShrinkResult {
  sim::Scenario scenario;  // seeds pinned to the failing seed
  std::string violation_class;
  ShrinkSize before;
  ShrinkSize after;
  int runs = 0;  // candidate runs tried
};

struct ShrinkOptions {
  int max_runs = 400;
  std::function<void(const std::string&)> progress;  // optional
};

// Errors: the seed does not fail to begin with.
Result<ShrinkResult> Shrink(const sim::Scenario& scenario, uint64_t seed,
                            const ShrinkOptions& options);

}  // namespace raftlab::sweep
