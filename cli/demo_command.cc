// `raftlab demo`: the three-node Raft demo (see sim/raft/demo.h).
#include <iostream>

#include "cli/commands.h"
#include "sim/raft/demo.h"

namespace raftlab::cli {

void RegisterDemoCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<sim::DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Three Raft nodes elect a leader, replicate, survive a leader crash");
  cmd->add_option("--seed", options->seed, "Seed of the run (same seed, same trace)");
  cmd->add_flag("--verbose", options->verbose, "Also print the nodes' own log lines");
  cmd->callback([options, exit_code] {
    *exit_code = sim::RunDemo(*options, std::cout) == 0 ? kExitOk : kExitViolation;
  });
}

}  // namespace raftlab::cli
