// Config: everything a Raft node is parameterised by. Validate() rejects
// inconsistent settings before a node starts.
#pragma once

#include <cstdint>
#include <limits>

#include "core/base/bugs.h"
#include "core/base/prng.h"
#include "core/base/result.h"
#include "core/raft/logger.h"
#include "core/raft/read_only.h"
#include "core/raft/storage.h"
#include "core/raft/types.h"

namespace raftlab::raft {

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

struct Config {
  NodeId id = kNone;
  // Ticks without hearing from a leader before a follower campaigns. The
  // actual timeout is drawn from [election_tick, 2*election_tick).
  int election_tick = 10;
  // Ticks between a leader's heartbeats. Must be below election_tick.
  int heartbeat_tick = 1;
  // The durable log. Must outlive the node. Not owned.
  const Storage* storage = nullptr;
  // The last applied index when restarting (entries up to it are not handed out again).
  uint64_t applied = 0;
  // Maximum bytes of entries in one MsgApp (at least one entry always goes).
  uint64_t max_size_per_msg = 1 << 20;
  // Maximum bytes of committed entries in one Ready.
  uint64_t max_committed_size_per_ready = kNoLimit;
  // Maximum bytes of uncommitted payload at the leader; proposals beyond are dropped.
  uint64_t max_uncommitted_entries_size = kNoLimit;
  // Flow control: MsgApp messages in flight to one follower, and their bytes (0 = no limit).
  size_t max_inflight_msgs = 256;
  uint64_t max_inflight_bytes = 0;
  // Leader steps down if it has not heard from a quorum in an election timeout;
  // followers that recently heard a leader ignore vote requests.
  bool check_quorum = false;
  // Run a pre-vote round that does not disturb terms before a real election.
  bool pre_vote = false;
  ReadOnlyOption read_only_option = ReadOnlyOption::kSafe;
  // Lease-based reads only: how much faster, in parts per million, any
  // member's clock may tick than the leader's. The leader's lease is
  // shortened to stay inside every follower's vote-refusal window.
  uint32_t max_clock_drift_ppm = 100'000;
  // Followers drop proposals instead of forwarding them to the leader.
  bool disable_proposal_forwarding = false;
  // The node's private randomness (election timeouts). Must outlive the node. Not owned.
  Prng* prng = nullptr;
  Logger* logger = nullptr;  // optional, not owned
  // Planted bugs (the bug zoo); empty in every correct run.
  BugSet bugs;

  Status Validate() const;
};

}  // namespace raftlab::raft
