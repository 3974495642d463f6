// Simulator speed: simulated events per wall-second and simulated time per
// wall time, for a 5-node cluster with 16 clients at a steady workload,
// without and with faults.
#include <chrono>

#include <benchmark/benchmark.h>

#include "sim/simulation.h"

namespace raftlab::sim {
namespace {

void BM_Simulate5Nodes16Clients(benchmark::State& state) {
  const bool faults = state.range(0) != 0;
  uint64_t events = 0;
  TimeNs simulated = 0;
  uint64_t seed = 1;
  for (auto _ : state) {
    SimConfig c;
    c.seed = seed++;
    c.nodes = 5;
    c.workload.clients = 16;
    c.duration = 20 * kSecond;
    c.nemesis.enabled = faults;
    c.invariants_every_events = 0;  // the end-of-run check only
    const SimResult r = Simulation(c).Run();
    events += r.stats.events;
    simulated += r.stats.sim_time;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(
      static_cast<double>(simulated) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Simulate5Nodes16Clients)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace raftlab::sim

BENCHMARK_MAIN();
