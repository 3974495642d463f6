// Isolated seeds: each seed runs in a child process (at most `jobs` at a
// time), so a CHECK failure in the core — itself a finding — ends that seed
// with a "crash:" violation instead of ending the sweep. Results come back
// over a pipe; the order in which seeds finish never changes a result.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sweep/seed_runner.h"

namespace raftlab::sweep {

// Runs in the child: does the seed's work (and may write files).
using SeedWork = std::function<SeedOutcome(uint64_t seed)>;
// Runs in the parent as each seed finishes.
using SeedDone = std::function<void(const SeedOutcome&)>;

void RunIsolated(const std::vector<uint64_t>& seeds, int jobs, const SeedWork& work,
                 const SeedDone& done);

// One seed, isolated; convenient for replay and shrinking.
SeedOutcome RunOneIsolated(uint64_t seed, const SeedWork& work);

}  // namespace raftlab::sweep
