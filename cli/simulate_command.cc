// `raftlab simulate`: one seeded run of the simulator with the random
// nemesis, until scenario files (`raftlab run`) arrive. Prints the trace hash
// and run statistics; exits 1 if an invariant or liveness check failed.
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scenario_args.h"
#include "sim/simulation.h"

namespace raftlab::cli {
namespace {

struct SimulateOptions {
  uint64_t seed = 1;
  int nodes = 3;
  double duration_s = 20;
  bool nemesis = false;
  int clients = 4;
  std::string history;
  std::string trace;
  bool check_determinism = false;
};

int RunSimulate(const SimulateOptions& o) {
  sim::SimConfig c;
  c.seed = o.seed;
  c.nodes = o.nodes;
  c.duration = static_cast<sim::TimeNs>(o.duration_s * 1000) * sim::kMillisecond;
  c.nemesis.enabled = o.nemesis;
  c.workload.clients = o.clients;
  std::ofstream trace_out;
  sim::StreamTraceSink sink(&trace_out);
  if (!o.trace.empty() && !o.check_determinism) {
    trace_out.open(o.trace);
    if (!trace_out) {
      PrintError(fmt::format("--trace {}: cannot write the trace there", o.trace));
      return kExitUsage;
    }
    c.trace_sink = &sink;  // streamed as the run goes: memory stays bounded
  }
  if (o.check_determinism) {
    const std::string diff = sim::CheckDeterminism(c);
    std::cout << (diff.empty() ? "deterministic: two runs gave identical traces\n" : diff + "\n");
    return diff.empty() ? kExitOk : kExitViolation;
  }
  const sim::SimResult r = sim::Simulation(c).Run();
  if (!o.history.empty()) {
    std::ofstream(o.history) << sim::ToJsonLines(r.history) << sim::ToJsonLines(r.watch_streams)
                             << sim::ToJsonLines(r.lease_ops, "lease")
                             << sim::ToJsonLines(r.compactions, "compact");
  }
  std::cout << fmt::format("seed {} trace hash {:016x}\n", o.seed, r.trace_hash);
  std::cout << fmt::format(
      "events {} simulated {} messages {} (dropped {}) faults {} ops ok {} fail {} info {}\n",
      r.stats.events, sim::Trace::FormatTime(r.stats.sim_time), r.stats.messages_sent,
      r.stats.messages_dropped, r.stats.faults, r.stats.ops_ok, r.stats.ops_fail,
      r.stats.ops_info);
  for (const std::string& v : r.violations) std::cout << "VIOLATION " << v << "\n";
  return r.violations.empty() ? kExitOk : kExitViolation;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand("simulate", "Run one seeded simulation of a KV cluster");
  cmd->add_option("--seed", o->seed, "Seed (same seed, same run)");
  cmd->add_option("--nodes", o->nodes, "Cluster size")->check(CLI::Range(1, 9));
  cmd->add_option("--duration", o->duration_s, "Seconds of simulated time with faults")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_flag("--nemesis", o->nemesis, "Inject random partitions, crashes, pauses, clock drift");
  cmd->add_option("--clients", o->clients, "Closed-loop clients")->check(CLI::Range(1, 256));
  cmd->add_option("--history", o->history, "Write the client history (JSON lines) here");
  cmd->add_option("--trace", o->trace, "Write the human-readable trace here");
  cmd->add_flag("--check-determinism", o->check_determinism,
                "Run twice and report the first differing event");
  cmd->callback([o, exit_code] { *exit_code = RunSimulate(*o); });
}

}  // namespace raftlab::cli
