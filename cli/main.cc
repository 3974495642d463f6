// raftlab: deterministic simulation and correctness testbed for an etcd-style
// replicated key-value store. See README.md and DESIGN.md §6.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"raftlab: deterministic simulation and correctness testbed for etcd-style Raft"};
  app.require_subcommand(1);
  int exit_code = raftlab::cli::kExitOk;
  raftlab::cli::RegisterDemoCommand(app, &exit_code);
  raftlab::cli::RegisterRaftScriptCommand(app, &exit_code);
  raftlab::cli::RegisterSimulateCommand(app, &exit_code);
  raftlab::cli::RegisterCheckCommand(app, &exit_code);
  raftlab::cli::RegisterRunCommand(app, &exit_code);
  raftlab::cli::RegisterReplayCommand(app, &exit_code);
  raftlab::cli::RegisterShrinkCommand(app, &exit_code);
  raftlab::cli::RegisterValidateCommand(app, &exit_code);
  raftlab::cli::RegisterZooCommand(app, &exit_code);
  raftlab::cli::RegisterNodeCommand(app, &exit_code);
  raftlab::cli::RegisterProxyCommand(app, &exit_code);
  raftlab::cli::RegisterClusterCommand(app, &exit_code);
  raftlab::cli::RegisterLoadCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2 as the contract says, not CLI11's own codes; --help exits 0.
    const int code = app.exit(e);
    return code == 0 ? raftlab::cli::kExitOk : raftlab::cli::kExitUsage;
  }
  std::fflush(stdout);
  return exit_code;
}
