// URLs and cluster lists as the live runner's flags spell them, etcd-style:
// "http://127.0.0.1:2380" and "n1=http://127.0.0.1:2380,n2=http://...".
// Only http URLs with a numeric or named host and a port are accepted; the
// runner speaks no TLS. Errors say which part is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace raftlab::runner {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// "http://host:port" (a trailing "/" is allowed).
Result<HostPort> ParseUrl(const std::string& url);
// The same, for an address to listen on: port 0 means any free port.
Result<HostPort> ParseListenUrl(const std::string& url);

struct ClusterMember {
  std::string name;
  std::string peer_url;
};

// "n1=http://127.0.0.1:2380,n2=http://127.0.0.1:2382": names unique, URLs
// valid and unique. Members take Raft ids 1, 2, ... in the order listed, so
// every member must be given the same list (etcd requires that too).
Result<std::vector<ClusterMember>> ParseInitialCluster(const std::string& flag);

// "127.0.0.1:2379,127.0.0.1:2381" or with http:// (etcdctl's --endpoints).
Result<std::vector<HostPort>> ParseEndpoints(const std::string& flag);

}  // namespace raftlab::runner
