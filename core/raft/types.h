// Raft value types: entries, messages, hard state, configuration state,
// snapshots and configuration changes.
//
// Plain values owned by whoever holds them; the protobuf schema in
// proto/raft.proto is their wire and disk encoding (see codec.h). Names follow
// the Raft paper for state (term, vote, commit) and etcd's raftpb for
// message kinds, so traces read like etcd's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace raftlab::raft {

using NodeId = uint64_t;
inline constexpr NodeId kNone = 0;  // "no node": no leader known, no vote cast

enum class EntryType : uint8_t { kNormal, kConfChange, kConfChangeV2 };

struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;

  bool operator==(const Entry&) const = default;
};

// The size an entry counts for in message-size, inflight-byte and
// uncommitted-size limits: its payload plus a fixed header estimate.
inline constexpr uint64_t kEntryHeaderBytes = 16;
inline uint64_t EntrySize(const Entry& e) { return e.data.size() + kEntryHeaderBytes; }
inline uint64_t PayloadSize(const Entry& e) { return e.data.size(); }
uint64_t EntriesSize(const std::vector<Entry>& entries);

enum class MessageType : uint8_t {
  kHup,             // local: start an election
  kBeat,            // local: leader broadcasts heartbeats
  kProp,            // a proposal (local, or forwarded by a follower)
  kApp,             // AppendEntries
  kAppResp,
  kVote,            // RequestVote
  kVoteResp,
  kSnap,            // InstallSnapshot
  kHeartbeat,
  kHeartbeatResp,
  kUnreachable,     // local: the host reports a peer unreachable
  kSnapStatus,      // local: the host reports a snapshot sent or failed
  kCheckQuorum,     // local: leader checks it heard from a quorum
  kTransferLeader,  // local or forwarded: move leadership to `from`
  kTimeoutNow,      // leader tells the transferee to campaign at once
  kReadIndex,
  kReadIndexResp,
  kPreVote,
  kPreVoteResp,
};

const char* MessageTypeName(MessageType type);
bool IsLocalMessage(MessageType type);
bool IsResponseMessage(MessageType type);
MessageType VoteResponseType(MessageType vote_type);

struct ConfState {
  std::vector<NodeId> voters;           // sorted
  std::vector<NodeId> learners;         // sorted
  std::vector<NodeId> voters_outgoing;  // non-empty only in a joint configuration
  std::vector<NodeId> learners_next;    // outgoing voters that become learners on leaving joint
  bool auto_leave = false;

  bool operator==(const ConfState&) const = default;
};

struct SnapshotMetadata {
  ConfState conf_state;
  uint64_t index = 0;
  uint64_t term = 0;

  bool operator==(const SnapshotMetadata&) const = default;
};

struct Snapshot {
  std::string data;  // the application's state machine image, opaque to Raft
  SnapshotMetadata metadata;

  bool IsEmpty() const { return metadata.index == 0; }
  bool operator==(const Snapshot&) const = default;
};

struct Message {
  MessageType type = MessageType::kHup;
  NodeId to = kNone;
  NodeId from = kNone;
  uint64_t term = 0;
  // MsgApp: term of the entry at `index` (the entry before `entries`).
  // MsgVote/MsgPreVote: the candidate's last log term.
  // Rejected MsgAppResp: term of the entry at `reject_hint` in the follower's log.
  uint64_t log_term = 0;
  uint64_t index = 0;
  std::vector<Entry> entries;
  uint64_t commit = 0;
  std::optional<Snapshot> snapshot;  // MsgSnap only
  bool reject = false;
  uint64_t reject_hint = 0;
  std::string context;  // campaign kind on votes; read-index sequence on heartbeats

  bool operator==(const Message&) const = default;
};

struct HardState {
  uint64_t term = 0;
  NodeId vote = kNone;
  uint64_t commit = 0;

  bool IsEmpty() const { return term == 0 && vote == kNone && commit == 0; }
  bool operator==(const HardState&) const = default;
};

enum class ConfChangeType : uint8_t { kAddNode, kRemoveNode, kUpdateNode, kAddLearnerNode };

struct ConfChangeSingle {
  ConfChangeType type = ConfChangeType::kAddNode;
  NodeId node_id = kNone;

  bool operator==(const ConfChangeSingle&) const = default;
};

enum class ConfChangeTransition : uint8_t { kAuto, kJointImplicit, kJointExplicit };

// A configuration change of any size. An empty change list means "leave the
// joint configuration".
struct ConfChangeV2 {
  ConfChangeTransition transition = ConfChangeTransition::kAuto;
  std::vector<ConfChangeSingle> changes;
  std::string context;

  // True if this change must use joint consensus; *auto_leave tells whether
  // the joint configuration is left automatically.
  bool EnterJoint(bool* auto_leave) const;
  // True for the empty change that leaves a joint configuration.
  bool LeaveJoint() const;
  bool operator==(const ConfChangeV2&) const = default;
};

// The original single-node change (one voter or learner added or removed).
struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddNode;
  NodeId node_id = kNone;
  std::string context;
  uint64_t id = 0;

  ConfChangeV2 AsV2() const;
  bool operator==(const ConfChange&) const = default;
};

// Roles, named as in the paper plus pre-vote's pre-candidate.
enum class StateRole : uint8_t { kFollower, kCandidate, kLeader, kPreCandidate };
const char* StateRoleName(StateRole role);

}  // namespace raftlab::raft
