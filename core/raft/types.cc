#include "core/raft/types.h"

namespace raftlab::raft {

uint64_t EntriesSize(const std::vector<Entry>& entries) {
  uint64_t total = 0;
  for (const Entry& e : entries) total += EntrySize(e);
  return total;
}

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kHup: return "MsgHup";
    case MessageType::kBeat: return "MsgBeat";
    case MessageType::kProp: return "MsgProp";
    case MessageType::kApp: return "MsgApp";
    case MessageType::kAppResp: return "MsgAppResp";
    case MessageType::kVote: return "MsgVote";
    case MessageType::kVoteResp: return "MsgVoteResp";
    case MessageType::kSnap: return "MsgSnap";
    case MessageType::kHeartbeat: return "MsgHeartbeat";
    case MessageType::kHeartbeatResp: return "MsgHeartbeatResp";
    case MessageType::kUnreachable: return "MsgUnreachable";
    case MessageType::kSnapStatus: return "MsgSnapStatus";
    case MessageType::kCheckQuorum: return "MsgCheckQuorum";
    case MessageType::kTransferLeader: return "MsgTransferLeader";
    case MessageType::kTimeoutNow: return "MsgTimeoutNow";
    case MessageType::kReadIndex: return "MsgReadIndex";
    case MessageType::kReadIndexResp: return "MsgReadIndexResp";
    case MessageType::kPreVote: return "MsgPreVote";
    case MessageType::kPreVoteResp: return "MsgPreVoteResp";
  }
  return "MsgUnknown";
}

bool IsLocalMessage(MessageType type) {
  return type == MessageType::kHup || type == MessageType::kBeat ||
         type == MessageType::kUnreachable || type == MessageType::kSnapStatus ||
         type == MessageType::kCheckQuorum;
}

bool IsResponseMessage(MessageType type) {
  return type == MessageType::kAppResp || type == MessageType::kVoteResp ||
         type == MessageType::kHeartbeatResp || type == MessageType::kUnreachable ||
         type == MessageType::kPreVoteResp;
}

MessageType VoteResponseType(MessageType vote_type) {
  return vote_type == MessageType::kPreVote ? MessageType::kPreVoteResp : MessageType::kVoteResp;
}

bool ConfChangeV2::EnterJoint(bool* auto_leave) const {
  // Joint consensus is needed when asked for, or when more than one voter
  // changes at once (a single change keeps old and new majorities overlapping).
  if (transition != ConfChangeTransition::kAuto || changes.size() > 1) {
    *auto_leave = transition != ConfChangeTransition::kJointExplicit;
    return true;
  }
  *auto_leave = false;
  return false;
}

bool ConfChangeV2::LeaveJoint() const {
  // The context is free-form and does not change the meaning.
  return changes.empty() && transition == ConfChangeTransition::kAuto;
}

ConfChangeV2 ConfChange::AsV2() const {
  ConfChangeV2 v2;
  v2.changes.push_back(ConfChangeSingle{type, node_id});
  v2.context = context;
  return v2;
}

const char* StateRoleName(StateRole role) {
  switch (role) {
    case StateRole::kFollower: return "StateFollower";
    case StateRole::kCandidate: return "StateCandidate";
    case StateRole::kLeader: return "StateLeader";
    case StateRole::kPreCandidate: return "StatePreCandidate";
  }
  return "StateUnknown";
}

}  // namespace raftlab::raft
