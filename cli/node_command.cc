// `raftlab node`: one live member (runner/node.h).
#include <memory>

#include "cli/commands.h"
#include "runner/node.h"

namespace raftlab::cli {

void RegisterNodeCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<runner::NodeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "node", "Run one live member: the raftlab core behind etcd's v3 gRPC API");
  cmd->add_option("--name", o->name, "This member's name in --initial-cluster")->required();
  cmd->add_option("--data-dir", o->data_dir, "Its WAL and snapshots (created if missing)")
      ->required();
  cmd->add_option("--listen-peer", o->listen_peer, "http://host:port for other members")
      ->required();
  cmd->add_option("--listen-client", o->listen_client, "http://host:port for clients (etcdctl)")
      ->required();
  cmd->add_option("--initial-cluster", o->initial_cluster,
                  "Every member: n1=http://host:port,n2=... (the same list on each)")
      ->required();
  cmd->add_option("--peer-dial", o->peer_dial,
                  "n2=http://host:port,...: reach these members here, not at their advertised "
                  "URLs (raftlab proxy links, for partitions)");
  cmd->add_option("--bug", o->bugs, "Plant a bug-zoo mutation (raftlab zoo --list)");
  cmd->add_option("--snapshot-count", o->snapshot_count,
                  "Applied entries between snapshots (etcd's default)")
      ->capture_default_str();
  cmd->add_option("--heartbeat-interval", o->heartbeat_ms, "Milliseconds per Raft tick")
      ->capture_default_str();
  cmd->add_option("--election-timeout", o->election_ms, "Milliseconds")->capture_default_str();
  cmd->add_option("--log", o->log_file, "Log file (default: stderr)");
  cmd->callback([o, exit_code] { *exit_code = runner::RunNode(*o); });
}

}  // namespace raftlab::cli
