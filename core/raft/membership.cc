// Membership: applying committed configuration changes (joint consensus and
// single-step changes), and what the new configuration means for this node.
#include "core/base/check.h"
#include "core/raft/confchange.h"
#include "core/raft/raft.h"

namespace raftlab::raft {

namespace {

ChangeResult ChangeFor(const ProgressTracker& trk, uint64_t last_index, const ConfChangeV2& cc) {
  Changer changer(trk, last_index);
  bool auto_leave = false;
  if (cc.LeaveJoint()) return changer.LeaveJoint();
  if (cc.EnterJoint(&auto_leave)) return changer.EnterJoint(auto_leave, cc.changes);
  return changer.Simple(cc.changes);
}

}  // namespace

std::string Raft::DryRunConfChange(const ConfChangeV2& cc) const {
  ChangeResult result = ChangeFor(trk_, raft_log_.LastIndex(), cc);
  return result ? "" : result.error();
}

ConfState Raft::ApplyConfChange(const ConfChangeV2& cc) {
  ChangeResult result = ChangeFor(trk_, raft_log_.LastIndex(), cc);
  // A committed change that cannot be applied means the log holds something
  // the leader should never have accepted.
  CHECK_MSG(result.has_value(), result ? "" : "unable to apply conf change: " + result.error());
  return SwitchToConfig(result->config, result->progress);
}

ConfState Raft::SwitchToConfig(const TrackerConfig& config, const ProgressMap& progress) {
  trk_.config = config;
  trk_.progress = progress;
  ++config_switches_;
  RAFT_LOG(logger_, kInfo, "{} switched to configuration {}", id_, trk_.config.String());
  const ConfState cs = trk_.GetConfState();
  auto self = trk_.progress.find(id_);
  is_learner_ = self != trk_.progress.end() && self->second.is_learner;
  if (state_ != StateRole::kLeader || cs.voters.empty()) return cs;
  if (MaybeCommit()) {
    // The new configuration may commit more (a smaller quorum): tell everyone.
    BcastAppend();
  } else {
    // Probe any newcomer so it catches up without waiting for a heartbeat.
    for (const auto& [id, pr] : trk_.progress) {
      if (id != id_) MaybeSendAppend(id, false);
    }
  }
  if (lead_transferee_ != kNone && !trk_.config.voters.Contains(lead_transferee_)) {
    AbortLeaderTransfer();
  }
  MaybeHandOffLeadership();
  return cs;
}

void Raft::MaybeHandOffLeadership() {
  if (state_ != StateRole::kLeader || lead_transferee_ != kNone) return;
  if (trk_.config.voters.Contains(id_)) return;
  // Removed or demoted, this leader must go, but not by simply stepping
  // down: a remaining voter that has not learned that the change committed
  // still counts the old configuration and may need our vote, which we would
  // deny with our longer log. Keep replicating and hand leadership to the
  // most up-to-date voter; its election ends our term.
  NodeId best = kNone;
  uint64_t best_match = 0;
  for (const auto& [id, pr] : trk_.progress) {
    if (id == id_ || pr.is_learner || !trk_.config.voters.Contains(id)) continue;
    if (best == kNone || pr.match > best_match) {
      best = id;
      best_match = pr.match;
    }
  }
  if (best == kNone) return;
  RAFT_LOG(logger_, kInfo, "{} is no longer a voter; handing leadership to {}", id_, best);
  Message m;
  m.type = MessageType::kTransferLeader;
  m.from = best;
  HandleTransferLeader(m, &trk_.progress.at(best));
}

}  // namespace raftlab::raft
