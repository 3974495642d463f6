// `raftlab load`: a closed-loop etcd v3 load generator (runner/load/load.h).
#include <memory>

#include "cli/commands.h"
#include "runner/load/load.h"

namespace raftlab::cli {

void RegisterLoadCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<runner::LoadOptions>();
  CLI::App* cmd = app.add_subcommand(
      "load", "Load an etcd v3 cluster (raftlab or etcd) and record a checkable history");
  cmd->add_option("--endpoints", o->endpoints, "host:port,... (etcdctl's form)")->required();
  cmd->add_option("--op", o->op, "put, get, sget (serializable), txn (compare-and-swap), mixed")
      ->capture_default_str();
  cmd->add_option("--clients", o->clients, "Concurrent clients, one request each")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration, "e.g. 10s, 500ms")->capture_default_str();
  cmd->add_option("--keys", o->keys, "Keys k0..k{N-1}, chosen uniformly")->capture_default_str();
  cmd->add_option("--value-size", o->value_size, "Bytes per value written")->capture_default_str();
  cmd->add_option("--history", o->history, "Write the history (JSON lines) here");
  cmd->add_option("--timeout", o->timeout, "Per request")->capture_default_str();
  cmd->add_option("--seed", o->seed, "The clients' choices")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the summary as JSON");
  cmd->add_flag("--final-reads", o->final_reads,
                "After the run, read every key once into the history");
  cmd->callback([o, exit_code] { *exit_code = runner::RunLoad(*o); });
}

}  // namespace raftlab::cli
