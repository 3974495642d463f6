// Progress: the leader's view of one follower's log — what it has (match),
// what to send next (next), and how to send it (probe / replicate / snapshot).
#pragma once

#include <cstdint>
#include <string>

#include "core/raft/inflights.h"

namespace raftlab::raft {

enum class ProgressState : uint8_t {
  // The follower's log position is unknown: send one message at a time and
  // wait for its answer (or a heartbeat response) before the next.
  kProbe,
  // The follower is known to be in sync up to match: stream entries
  // optimistically, bounded by the inflight window.
  kReplicate,
  // The follower needs a snapshot; nothing else is sent until it is applied.
  kSnapshot,
};
const char* ProgressStateName(ProgressState state);

struct Progress {
  Progress(uint64_t next_index, size_t max_inflight, uint64_t max_inflight_bytes, bool learner);

  // Invariant: match < next.
  uint64_t match = 0;
  uint64_t next = 1;
  ProgressState state = ProgressState::kProbe;
  uint64_t pending_snapshot = 0;  // index of the snapshot being sent (kSnapshot only)
  // Set when anything is heard from the follower; check-quorum resets it
  // every election timeout.
  bool recent_active = false;
  // Probe: one message is out, wait. Replicate: the window is full. A
  // heartbeat response clears it so one (possibly empty) MsgApp can go out,
  // which recovers a follower whose messages were all lost.
  bool msg_app_flow_paused = false;
  Inflights inflights;
  bool is_learner = false;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);

  // Records that a MsgApp with `entries` entries ending before `next_index`
  // (and `bytes` in total) was sent.
  void SentEntries(size_t entries, uint64_t bytes);
  // An acknowledgement of `index`: raises match (never lowers it) and next.
  // Returns true if match moved.
  bool MaybeUpdate(uint64_t index);
  // A rejection of the MsgApp at `rejected`; `match_hint` is where the
  // follower suggests trying. Returns false if the rejection is stale.
  bool MaybeDecrTo(uint64_t rejected, uint64_t match_hint);
  // True if no MsgApp should be sent now.
  bool IsPaused() const;

  std::string String() const;
};

}  // namespace raftlab::raft
