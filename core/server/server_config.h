// ServerConfig: the knobs of one member of the replicated KV server.
#pragma once

#include <cstdint>
#include <vector>

#include "core/backend/backend.h"
#include "core/base/bugs.h"
#include "core/raft/logger.h"
#include "core/raft/read_only.h"
#include "core/raft/types.h"
#include "server.pb.h"

namespace raftlab::server {

struct ServerConfig {
  raft::NodeId id = raft::kNone;  // REQUIRES: < 2^16 (it prefixes request ids)
  // Grows with every start of this member (the host keeps it durable, e.g.
  // a boot counter). Request ids embed it, so a restarted member never
  // reuses an id that is already in the log.
  uint64_t incarnation = 0;
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  raft::ReadOnlyOption read_only = raft::ReadOnlyOption::kSafe;
  // Linearizable reads submitted between two GetReady calls share one
  // ReadIndex round (etcd's linearizableReadLoop); otherwise each read has
  // its own. Off in the simulator unless a scenario asks (the pinned zoo
  // reproducers and golden traces were recorded without it); the live
  // runner turns it on.
  bool batch_reads = false;
  uint32_t max_clock_drift_ppm = 100'000;  // lease-based reads: assumed clock-rate bound
  int64_t tick_ms = 100;             // one tick of the member's own clock
  uint64_t snapshot_entries = 1000;  // take a snapshot after this many applied entries
  uint64_t snapshot_catchup_entries = 500;  // entries kept behind a snapshot
  int64_t quota_bytes = int64_t{2} << 30;   // etcd's default backend quota
  int64_t request_timeout_ms = 5000;        // a proposal not applied by then is UNKNOWN
  // Progress notifications (bookmarks) to watches that asked for them;
  // etcd's default interval is 10 minutes. 0: never.
  int64_t watch_progress_ms = 600'000;
  uint64_t max_size_per_msg = 1 << 20;
  size_t max_inflight_msgs = 256;
  uint64_t max_uncommitted_bytes = 0;  // leader's uncommitted payload limit (0: none)
  raft::Logger* logger = nullptr;
  // In every response header, and checked on every peer connection.
  uint64_t cluster_id = 1;
  // A new cluster's members (names and peer URLs), part of the bootstrap
  // state; empty in the simulator, where members have no URLs.
  std::vector<serverpb::MemberInfo> initial_members;
  // This member's name and client URLs, published through Raft once it
  // knows a leader (etcd's publish); no name: nothing is published.
  serverpb::MemberInfo local_attributes;
  // What applying a committed entry that cannot be applied does (bytes that
  // are not an InternalRequest, a conf change the configuration refuses).
  // No correct member commits one. Off (the simulator): a CHECK failure, so
  // a run reports the bug that put it there. On (the live runner, whose
  // peers are not trusted): it is consumed as a no-op, logged and counted
  // (Server::refused_entries), identically on every member.
  bool refuse_bad_entries = false;
  // The backend the state lives in (core/backend; the host's, not owned),
  // or null: in memory, durable only through snapshots and the WAL.
  backend::Backend* backend = nullptr;
  // Planted bugs (the bug zoo), handed on to Raft; empty in every correct run.
  BugSet bugs;

  int64_t ElectionTimeoutMs() const { return election_tick * tick_ms; }
  // S8.1: leases live at least ceil(1.5 x election timeout) seconds.
  int64_t MinLeaseTtlSeconds() const { return (ElectionTimeoutMs() * 3 + 1999) / 2000; }
};

}  // namespace raftlab::server
