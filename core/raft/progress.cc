#include "core/raft/progress.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::raft {

const char* ProgressStateName(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe: return "StateProbe";
    case ProgressState::kReplicate: return "StateReplicate";
    case ProgressState::kSnapshot: return "StateSnapshot";
  }
  return "StateUnknown";
}

Progress::Progress(uint64_t next_index, size_t max_inflight, uint64_t max_inflight_bytes,
                   bool learner)
    : next(next_index), inflights(max_inflight, max_inflight_bytes), is_learner(learner) {
  CHECK_GT(next_index, 0u);
}

void Progress::BecomeProbe() {
  // Coming back from a snapshot, the follower has at least the snapshot.
  if (state == ProgressState::kSnapshot) {
    const uint64_t snapshot = pending_snapshot;
    state = ProgressState::kProbe;
    next = std::max(match + 1, snapshot + 1);
  } else {
    state = ProgressState::kProbe;
    next = match + 1;
  }
  pending_snapshot = 0;
  msg_app_flow_paused = false;
  inflights.Reset();
  CHECK_LT(match, next);
}

void Progress::BecomeReplicate() {
  state = ProgressState::kReplicate;
  next = match + 1;
  pending_snapshot = 0;
  msg_app_flow_paused = false;
  inflights.Reset();
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  CHECK_GT(snapshot_index, 0u);
  state = ProgressState::kSnapshot;
  pending_snapshot = snapshot_index;
  msg_app_flow_paused = false;
  inflights.Reset();
}

void Progress::SentEntries(size_t entries, uint64_t bytes) {
  switch (state) {
    case ProgressState::kReplicate:
      if (entries > 0) {
        next += entries;
        inflights.Add(next - 1, bytes);
      }
      msg_app_flow_paused = inflights.Full();
      break;
    case ProgressState::kProbe:
      // One probe at a time, with or without entries: wait for its answer.
      msg_app_flow_paused = true;
      break;
    case ProgressState::kSnapshot:
      UNREACHABLE();
  }
  CHECK_LT(match, next);
}

bool Progress::MaybeUpdate(uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    msg_app_flow_paused = false;
  }
  next = std::max(next, index + 1);
  CHECK_LT(match, next);
  return updated;
}

bool Progress::MaybeDecrTo(uint64_t rejected, uint64_t match_hint) {
  if (state == ProgressState::kReplicate) {
    // A rejection at or below match is stale: the follower has since accepted more.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe state only the rejection of the probe just sent (at next-1) counts.
  if (next - 1 != rejected) return false;
  next = std::max(std::min(rejected, match_hint + 1), match + 1);
  msg_app_flow_paused = false;
  CHECK_LT(match, next);
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
    case ProgressState::kReplicate:
      return msg_app_flow_paused;
    case ProgressState::kSnapshot:
      return true;
  }
  UNREACHABLE();
}

std::string Progress::String() const {
  std::string out = ProgressStateName(state);
  out += " match=" + std::to_string(match) + " next=" + std::to_string(next);
  if (is_learner) out += " learner";
  if (IsPaused()) out += " paused";
  if (pending_snapshot > 0) out += " pendingSnap=" + std::to_string(pending_snapshot);
  if (!recent_active) out += " inactive";
  if (inflights.Count() > 0) out += " inflight=" + std::to_string(inflights.Count());
  if (inflights.Full()) out += "[full]";
  return out;
}

}  // namespace raftlab::raft
