// A live member process (`raftlab node`): its data directory on a real
// file system, its peer transport, its etcd v3 gRPC API, and the loop that
// drives the core, wired together; SIGTERM or SIGINT stops it cleanly.
//
// Exit codes (the CLI contract): 0 after a clean stop; 2 on a usage or
// input error, which includes a damaged or locked data directory (the
// message names the file and byte offset) and an address in use; 2 as well
// if the disk fails while running (the member stops, as etcd does).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftlab::runner {

struct NodeOptions {
  std::string name;
  std::string data_dir;
  std::string listen_peer;      // http://host:port
  std::string listen_client;    // http://host:port
  std::string initial_cluster;  // n1=http://host:port,...
  // n2=http://host:port,...: dial these members here instead of at their
  // advertised peer URLs (a proxy per link, for partitions in tests).
  std::string peer_dial;
  std::vector<std::string> bugs;
  uint64_t snapshot_count = 100000;  // etcd's --snapshot-count
  int64_t heartbeat_ms = 100;        // etcd's --heartbeat-interval
  int64_t election_ms = 1000;        // etcd's --election-timeout
  bool pre_vote = true;
  std::string log_file;  // empty: stderr
};

// Runs the member until SIGTERM/SIGINT; returns the exit code.
int RunNode(const NodeOptions& options);

// The cluster id members agree on: FNV-1a over the initial cluster list.
uint64_t ClusterIdOf(const std::string& initial_cluster);

}  // namespace raftlab::runner
