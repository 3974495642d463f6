// The watch, lease and durability checkers (checker/sim_checks.h) applied to
// one simulated run: gathers the acknowledged writes from the history and the
// lease clients, picks the clock slack the run's faults allow, and returns
// the findings ("watch: ", "lease: ", "durability: ", capped per checker).
#pragma once

#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/simulation.h"

namespace raftlab::sim {

std::vector<checker::AckedWrite> AckedWrites(const SimResult& result);
std::vector<std::string> CheckRecordedRun(const SimConfig& config, const SimResult& result);

}  // namespace raftlab::sim
