// SimConfig: everything one simulated run is parameterised by. A run is a
// pure function of (SimConfig, seed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/server/server_config.h"
#include "sim/core/event_queue.h"
#include "sim/fault.h"

namespace raftlab::sim {

class TraceSink;  // sim/core/trace.h

struct NetworkModel {
  TimeNs latency_min = 1 * kMillisecond;
  TimeNs latency_max = 5 * kMillisecond;
  Ratio long_tail{1, 100};                // this share of messages is slow...
  TimeNs long_tail_max = 100 * kMillisecond;  // ...by up to this much
  Ratio drop{0, 1};
  Ratio duplicate{0, 1};
  Ratio reorder{0, 1};  // otherwise each link delivers in order (like TCP)
};

enum class CrashDiskMode : uint8_t {
  kDropUnsynced,  // everything after the last fsync is lost
  kKeepUnsynced,  // the OS happened to write it all back
  kTornUnsynced,  // a prefix of it survives, cut at a sector boundary
  kRandom,        // one of the above per crash
};

struct DiskModel {
  TimeNs fsync_min = 1 * kMillisecond;
  TimeNs fsync_max = 3 * kMillisecond;
  CrashDiskMode crash_mode = CrashDiskMode::kRandom;
  uint64_t sector_bytes = 512;
};

// How a KV client picks the key of an operation among "k0".."k<keys-1>"
// (sim/key_chooser.h).
enum class KeyDistribution : uint8_t {
  kUniform,  // every key equally likely
  kZipf,     // P(k<i>) proportional to 1 / (i+1)^zipf_exponent: k0 the most popular
  kHot,      // k0 gets hot_fraction of the operations; the others share the rest evenly
};

struct WorkloadModel {
  int clients = 4;
  int keys = 3;
  KeyDistribution key_distribution = KeyDistribution::kUniform;
  double zipf_exponent = 1.0;    // kZipf only. REQUIRES: > 0
  Ratio hot_fraction = {9, 10};  // kHot only
  TimeNs request_timeout = 2 * kSecond;
  TimeNs think_max = 10 * kMillisecond;
  // Operation mix (weights).
  uint32_t get = 40;
  uint32_t put = 30;
  uint32_t del = 5;
  uint32_t cas = 25;
  // --- Watch, lease and compaction clients. All off (0) by default, so a
  // run without them draws, traces and hashes exactly as before; turning
  // any on splits one extra stream from the workload's Prng.
  uint32_t compact = 0;  // weight of compaction in the KV mix (at a recent revision)
  int watch_clients = 0;
  uint32_t watch_prefix_percent = 40;  // watch every "k" key (else one key, or every key)
  uint32_t watch_all_percent = 20;     // watch every key, lease keys included
  uint32_t watch_prev_kv_percent = 50;
  uint32_t watch_progress_notify_percent = 50;  // ask for bookmarks
  uint32_t watch_filter_percent = 20;           // a NOPUT or a NODELETE filter (half each)
  uint32_t watch_from_past_percent = 50;  // start below the newest known revision
  TimeNs watch_stall_timeout = 3 * kSecond;  // silence after which a client reconnects
  int lease_clients = 0;
  int64_t lease_ttl_seconds = 3;
  int lease_keys = 2;  // keys put under each lease
  TimeNs lease_keepalive_interval = 700 * kMillisecond;
  int lease_keepalives_max = 8;  // then revoke or let it expire, and grant anew
  uint32_t lease_revoke_percent = 50;
};

struct NemesisModel {
  bool enabled = false;
  TimeNs interval_min = 1 * kSecond;  // between faults
  TimeNs interval_max = 4 * kSecond;
  TimeNs fault_min = 1 * kSecond;  // how long a fault lasts
  TimeNs fault_max = 5 * kSecond;
  // The kinds it draws from, uniformly.
  std::vector<FaultKind> kinds = {FaultKind::kIsolate, FaultKind::kCrash, FaultKind::kPause,
                                  FaultKind::kClockDrift};
};

struct SimConfig {
  uint64_t seed = 1;
  int nodes = 3;
  // id is set per node. Bookmarks every second rather than etcd's ten
  // minutes, so runs exercise them.
  server::ServerConfig server = [] {
    server::ServerConfig c;
    c.watch_progress_ms = 1000;
    return c;
  }();
  NetworkModel network;
  DiskModel disk;
  WorkloadModel workload;
  NemesisModel nemesis;
  std::vector<FaultEvent> schedule;  // timed faults, in addition to the nemesis
  TimeNs duration = 20 * kSecond;        // the safety phase, with faults
  TimeNs liveness_bound = 20 * kSecond;  // after healing: leader, a commit, convergence
  // During the faults: a healthy, connected majority must not stay leaderless
  // longer than this (0: not checked). See sim/availability.h.
  TimeNs availability_bound = 8 * kSecond;
  bool keep_trace_lines = false;  // SimResult::trace_lines
  // Not owned; when set, every trace line goes here as it is produced (see
  // sim/core/trace.h). Must outlive the Simulation.
  TraceSink* trace_sink = nullptr;
  bool keep_hash_history = false;
  // Run the cluster-wide Raft invariants every this many events (0: never
  // during the run; always once at the end).
  uint64_t invariants_every_events = 200;
};

}  // namespace raftlab::sim
