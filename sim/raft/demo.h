// The three-node demo behind `make run` (for now): a cluster on virtual
// ticks elects a leader, replicates proposals, loses its leader to a crash,
// elects another and commits again. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <ostream>

namespace raftlab::sim {

struct DemoOptions {
  uint64_t seed = 1;
  bool verbose = false;  // include the nodes' own log lines
};

// Prints the run as a readable trace. Returns 0 when every phase reached its
// goal and no invariant was violated, 1 otherwise.
int RunDemo(const DemoOptions& options, std::ostream& out);

}  // namespace raftlab::sim
