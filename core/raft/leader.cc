// Message handling by role: the leader (proposals, acknowledgements, check
// quorum, leadership transfer) and the follower (forwarding, following).
#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/raft/confchange.h"
#include "core/raft/raft.h"

namespace raftlab::raft {

StepResult Raft::StepLeader(Message& m) {
  // Messages that need no progress entry for their sender.
  switch (m.type) {
    case MessageType::kBeat:
      BcastHeartbeat();
      return StepResult::kOk;
    case MessageType::kCheckQuorum:
      if (!trk_.QuorumActive()) {
        RAFT_LOG(logger_, kWarn, "{} stepped down to follower since quorum is not active", id_);
        BecomeFollower(term_, kNone);
      }
      // Every member must prove itself active again within the next timeout.
      for (auto& [id, pr] : trk_.progress) {
        if (id != id_) pr.recent_active = false;
      }
      return StepResult::kOk;
    case MessageType::kProp:
      return HandlePropose(m);
    case MessageType::kReadIndex:
      HandleReadIndexAtLeader(m);
      return StepResult::kOk;
    default:
      break;
  }
  auto it = trk_.progress.find(m.from);
  if (it == trk_.progress.end()) {
    RAFT_LOG(logger_, kDebug, "{} no progress available for {}", id_, m.from);
    return StepResult::kOk;
  }
  Progress* pr = &it->second;
  switch (m.type) {
    case MessageType::kAppResp: HandleAppendResponse(m, pr); break;
    case MessageType::kHeartbeatResp: HandleHeartbeatResponse(m, pr); break;
    case MessageType::kSnapStatus: HandleSnapStatus(m, pr); break;
    case MessageType::kUnreachable:
      // The transport could not deliver: stop streaming, probe instead.
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      RAFT_LOG(logger_, kDebug, "{} failed to send message to {} because it is unreachable [{}]",
               id_, m.from, pr->String());
      break;
    case MessageType::kTransferLeader: HandleTransferLeader(m, pr); break;
    default: break;
  }
  return StepResult::kOk;
}

StepResult Raft::HandlePropose(Message& m) {
  CHECK_MSG(!m.entries.empty(), std::to_string(id_) + " stepped empty MsgProp");
  if (trk_.progress.count(id_) == 0) {
    // Removed from the configuration but not yet stepped down.
    return StepResult::kProposalDropped;
  }
  if (lead_transferee_ != kNone) {
    RAFT_LOG(logger_, kDebug, "{} [term {}] transfer leadership to {} is in progress; dropping "
             "proposal", id_, term_, lead_transferee_);
    return StepResult::kProposalDropped;
  }
  for (size_t i = 0; i < m.entries.size(); ++i) {
    Entry& e = m.entries[i];
    if (e.type != EntryType::kConfChange && e.type != EntryType::kConfChangeV2) continue;
    Result<ConfChangeV2> cc = DecodeConfChange(e);
    CHECK_MSG(cc.has_value(), cc ? "" : cc.error().message);
    const bool already_pending = pending_conf_index_ > raft_log_.applied();
    const bool already_joint = !trk_.config.voters.outgoing.empty();
    const bool wants_leave_joint = cc->changes.empty();
    const char* refused = nullptr;
    std::string invalid;
    if (already_pending) {
      refused = "possible unapplied conf change";
    } else if (already_joint && !wants_leave_joint) {
      refused = "must transition out of joint config first";
    } else if (!already_joint && wants_leave_joint) {
      refused = "not in joint state; refusing empty conf change";
    } else {
      // With nothing pending, the change will apply to exactly the current
      // configuration: try it now, so that a change that cannot be applied
      // (removing every voter, two voters without joint consensus) is never
      // committed — every node would fail to apply it.
      invalid = DryRunConfChange(*cc);
      if (!invalid.empty()) refused = invalid.c_str();
    }
    if (refused != nullptr) {
      RAFT_LOG(logger_, kInfo, "{} ignoring conf change {} at config {}: {}", id_,
               DescribeChanges(cc->changes), trk_.config.String(), refused);
      // Keep the slot (the proposer waits for its index) but make it a no-op.
      e = Entry{};
    } else {
      pending_conf_index_ = raft_log_.LastIndex() + i + 1;
    }
  }
  if (!AppendEntry(std::move(m.entries))) return StepResult::kProposalDropped;
  BcastAppend();
  return StepResult::kOk;
}

void Raft::HandleTransferLeader(const Message& m, Progress* pr) {
  if (pr->is_learner) {
    RAFT_LOG(logger_, kDebug, "{} is learner. Ignored transferring leadership", m.from);
    return;
  }
  const NodeId transferee = m.from;
  const NodeId last = lead_transferee_;
  if (last != kNone) {
    if (last == transferee) {
      RAFT_LOG(logger_, kInfo, "{} [term {}] transfer leadership to {} is in progress, ignores "
               "request to same node {}", id_, term_, transferee, transferee);
      return;
    }
    AbortLeaderTransfer();
    RAFT_LOG(logger_, kInfo, "{} [term {}] abort previous transferring leadership to {}", id_,
             term_, last);
  }
  if (transferee == id_) {
    RAFT_LOG(logger_, kDebug, "{} is already leader. Ignored transferring leadership to self",
             id_);
    return;
  }
  RAFT_LOG(logger_, kInfo, "{} [term {}] starts to transfer leadership to {}", id_, term_,
           transferee);
  // The transfer must finish within an election timeout (see TickHeartbeat).
  election_elapsed_ = 0;
  lead_transferee_ = transferee;
  // Its MsgTimeoutNow may arrive late, even after the transfer is abandoned.
  lease_void_ = true;
  if (pr->match == raft_log_.LastIndex()) {
    SendTimeoutNow(transferee);
    RAFT_LOG(logger_, kInfo, "{} sends MsgTimeoutNow to {} immediately as {} already has "
             "up-to-date log", id_, transferee, transferee);
  } else {
    SendAppend(transferee);  // catch it up first; the MsgAppResp path sends TimeoutNow
  }
}

void Raft::SendTimeoutNow(NodeId to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  Send(std::move(m));
}

StepResult Raft::StepFollower(Message& m) {
  switch (m.type) {
    case MessageType::kProp:
      if (lead_ == kNone) {
        RAFT_LOG(logger_, kInfo, "{} no leader at term {}; dropping proposal", id_, term_);
        return StepResult::kProposalDropped;
      }
      if (disable_proposal_forwarding_) {
        RAFT_LOG(logger_, kInfo, "{} not forwarding to leader {} at term {}; dropping proposal",
                 id_, lead_, term_);
        return StepResult::kProposalDropped;
      }
      m.to = lead_;
      m.from = kNone;
      Send(std::move(m));
      return StepResult::kOk;
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppendEntries(m);
      return StepResult::kOk;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      return StepResult::kOk;
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshot(m);
      return StepResult::kOk;
    case MessageType::kTransferLeader:
      if (lead_ == kNone) {
        RAFT_LOG(logger_, kInfo, "{} no leader at term {}; dropping leader transfer msg", id_,
                 term_);
        return StepResult::kOk;
      }
      m.to = lead_;
      m.term = 0;
      Send(std::move(m));
      return StepResult::kOk;
    case MessageType::kTimeoutNow:
      RAFT_LOG(logger_, kInfo, "{} [term {}] received MsgTimeoutNow from {} and starts an "
               "election to get leadership", id_, term_, m.from);
      // Leadership transfer never uses pre-vote: the old leader asked for it.
      Hup(CampaignType::kTransfer);
      return StepResult::kOk;
    case MessageType::kReadIndex:
      if (lead_ == kNone) {
        RAFT_LOG(logger_, kInfo, "{} no leader at term {}; dropping index reading msg", id_,
                 term_);
        return StepResult::kOk;
      }
      m.to = lead_;
      m.from = kNone;
      m.term = 0;
      Send(std::move(m));
      return StepResult::kOk;
    case MessageType::kReadIndexResp:
      if (m.entries.size() != 1) {
        RAFT_LOG(logger_, kError, "{} invalid format of MsgReadIndexResp from {}, entries count: "
                 "{}", id_, m.from, m.entries.size());
        return StepResult::kOk;
      }
      read_states_.push_back(ReadState{m.index, m.entries[0].data});
      return StepResult::kOk;
    default:
      return StepResult::kOk;
  }
}

}  // namespace raftlab::raft
