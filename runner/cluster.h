// A local cluster of live members (`raftlab cluster`): N `raftlab node`
// child processes on 127.0.0.1, one data directory and log each, started
// together; the client endpoints are printed in etcdctl's --endpoints form.
// Ctrl-C (SIGINT) or SIGTERM stops every child by its pid (SIGTERM, then
// SIGKILL after 5 s) and waits for it.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "core/base/result.h"

namespace raftlab::runner {

struct ClusterOptions {
  int nodes = 3;
  std::string dir;          // empty: a new directory under /tmp
  uint16_t base_port = 2379;  // member i (0-based): client base+2i, peer base+2i+1
  std::vector<std::string> extra_args;  // passed to every member (--bug ...)
};

struct ClusterLayout {
  std::string dir;
  std::vector<std::string> names;
  std::vector<std::string> client_urls;
  std::vector<std::string> peer_urls;
  std::string initial_cluster;
  std::string endpoints;  // 127.0.0.1:2379,127.0.0.1:2381,...
};

ClusterLayout LayOut(const ClusterOptions& options, const std::string& dir);

// Starts member `i` of `layout` as a child process of `self_exe`; returns its pid.
Result<pid_t> StartMember(const std::string& self_exe, const ClusterLayout& layout, int i,
                          const std::vector<std::string>& extra_args);

// Runs the cluster until SIGINT/SIGTERM; returns the exit code.
int RunCluster(const ClusterOptions& options);

}  // namespace raftlab::runner
