// `raftlab cluster`: a local cluster of live members (runner/cluster.h).
#include <memory>

#include "cli/commands.h"
#include "runner/cluster.h"

namespace raftlab::cli {

void RegisterClusterCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<runner::ClusterOptions>();
  auto bugs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "cluster", "Start N live members on 127.0.0.1 and print their etcdctl endpoints");
  cmd->add_option("--nodes", o->nodes, "Members")->capture_default_str();
  cmd->add_option("--dir", o->dir, "Data directories and logs (default: a new one in /tmp)");
  cmd->add_option("--base-port", o->base_port,
                  "Member i serves clients on base+2i and peers on base+2i+1")
      ->capture_default_str();
  cmd->add_option("--bug", *bugs, "Plant a bug-zoo mutation in every member");
  cmd->callback([o, bugs, exit_code] {
    for (const std::string& b : *bugs) {
      o->extra_args.push_back("--bug");
      o->extra_args.push_back(b);
    }
    *exit_code = runner::RunCluster(*o);
  });
}

}  // namespace raftlab::cli
