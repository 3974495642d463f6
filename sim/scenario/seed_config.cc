// The SimConfig of one seed. Swarm mode (Groce et al., "Swarm testing")
// turns the scenario's knobs into upper bounds and draws per seed: a random
// non-empty subset of the nemesis faults, drop/duplicate/reorder rates up to
// the given ones, and 1..clients clients. Its draws come from a stream
// derived from the seed but separate from the simulation's own, so the
// same seed always gets the same knobs.
#include "sim/scenario/scenario.h"

namespace raftlab::sim {

SimConfig ConfigForSeed(const Scenario& s, uint64_t seed) {
  SimConfig c = s.config;
  c.seed = seed;
  c.server.bugs = s.bugs;
  if (!s.swarm) return c;
  Prng knobs(seed ^ 0x5357'4152'4d21'0000ULL);  // "SWARM!"
  std::vector<FaultKind> kinds;
  while (kinds.empty() && !s.config.nemesis.kinds.empty()) {
    for (FaultKind k : s.config.nemesis.kinds) {
      if (knobs.Chance(Ratio{1, 2})) kinds.push_back(k);
    }
  }
  c.nemesis.kinds = kinds;
  for (Ratio* r : {&c.network.drop, &c.network.duplicate, &c.network.reorder}) {
    r->num = r->num == 0 ? 0 : knobs.Range(0, r->num);
  }
  c.workload.clients = static_cast<int>(knobs.Range(1, static_cast<uint64_t>(c.workload.clients)));
  return c;
}

}  // namespace raftlab::sim
