// `raftlab load`: a closed-loop etcd v3 load generator. It speaks only the
// public gRPC API, so it loads real etcd exactly as it loads raftlab.
//
// Each of --clients clients sends one request at a time for --duration and
// records every operation in raftlab's JSON-lines history (docs/formats.md),
// which `raftlab check --model etcd` judges: puts write values that are
// unique in the run, every response's revision is kept, and an operation
// whose outcome is unknown (a timeout, a lost connection, "request timed
// out") is recorded as indeterminate, after which the client continues
// under a fresh client id. Serializable gets are not recorded: they may be
// stale by design.
//
// It prints throughput and latency percentiles of the operations that
// succeeded (and, on a terminal, a progress line every second).
#pragma once

#include <cstdint>
#include <string>

namespace raftlab::runner {

struct LoadOptions {
  std::string endpoints;     // etcdctl form: 127.0.0.1:2379,127.0.0.1:2381
  std::string op = "put";    // put | get | sget | txn | mixed
  int clients = 64;
  std::string duration = "10s";
  int keys = 1000;
  int value_size = 256;
  std::string history;       // write the history here (optional)
  std::string timeout = "5s";  // per request, like etcdctl's --command-timeout
  uint64_t seed = 1;         // the clients' choices (keys, ops)
  bool json = false;         // print the summary as one JSON object
  // After the run, read every key once (linearizable) into the history, so
  // that a linearizable history also shows every acknowledged write held.
  bool final_reads = false;
};

// Returns the exit code: 0, or 2 for bad flags or endpoints that never answer.
int RunLoad(const LoadOptions& options);

// "10s", "500ms", "2m" in milliseconds; -1 if malformed.
int64_t ParseDurationMs(const std::string& text);

}  // namespace raftlab::runner
