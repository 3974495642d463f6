// Raft: the consensus state machine of one node. Pure: it takes messages and
// ticks and produces messages and log changes, which RawNode hands to the
// host as a Ready. See raw_node.h for the host's contract.
//
// The implementation is split by concern: raft.cc (state, terms, roles,
// ticks, dispatch), election.cc (campaigns and votes), replication.cc
// (appends, heartbeats, snapshots, commit), leader.cc (the leader's and
// follower's message handling, proposals, leader transfer), read_index.cc
// (linearizable reads), membership.cc (configuration changes).
//
// Peer input: what Step may CHECK on, and what a host must refuse first.
// The core stops loudly (CHECK) on a message that no correct peer sends:
// in the simulator every peer runs this code, so such a message is a bug
// the run reports (etcd panics the same way, e.g. "tocommit out of range"
// for bug zoo B10 and B28). A host whose peers are not trusted (the live
// runner; tests/fuzz/fuzz_raft_step.cc) must therefore refuse them before
// Step, in two layers:
//  1. Without the node's state, at its boundary (runner/peer/inbound.h,
//     ValidatePeerMessage): only message types a peer sends (never MsgHup,
//     MsgBeat, ...); `from` is the connection's peer, never this node, and
//     `to` is this node; a term on every message but MsgProp and
//     MsgReadIndex, which carry none; every term and index below 2^62;
//     entries bounded in count and size, of known types, conf-change
//     entries that decode, a MsgApp's entries contiguous after `index` and
//     of terms no higher than its own; a MsgProp with entries; a MsgSnap
//     with a snapshot whose configuration names real members and whose
//     data the host's state machine can restore at the snapshot's index;
//     no snapshot on other types.
//  2. Against the node's state, right before Step on the thread that owns
//     the node (CheckPeerMessage below): a commit index the node cannot
//     hold (beyond its log, from a heartbeat of its term) and a snapshot
//     whose configuration cannot be restored. (Appends over committed
//     entries need no check: Step answers an append below its commit
//     index without looking at it, and layer 1 makes entries contiguous.)
// Everything else a peer may send is handled by Step itself: stale terms,
// rejections, unknown senders, duplicates and reordering are part of the
// protocol and never stop the node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/base/result.h"
#include "core/raft/config.h"
#include "core/raft/logger.h"
#include "core/raft/progress_tracker.h"
#include "core/raft/raft_log.h"
#include "core/raft/read_only.h"
#include "core/raft/types.h"

namespace raftlab::raft {

// What became of a Step. Proposals can be dropped (no leader, leadership
// transfer in progress, uncommitted size limit, forwarding disabled).
enum class StepResult : uint8_t { kOk, kProposalDropped, kLocalMessage, kPeerNotFound };
const char* StepResultName(StepResult result);

struct SoftState {
  NodeId lead = kNone;
  StateRole role = StateRole::kFollower;
  bool operator==(const SoftState&) const = default;
};

// A linearizable read is safe to serve once the node has applied `index`.
struct ReadState {
  uint64_t index = 0;
  std::string request_ctx;
  bool operator==(const ReadState&) const = default;
};

// Context of a vote request sent because of a leadership transfer: voters
// grant it even if they recently heard from the leader.
inline constexpr const char* kCampaignTransfer = "CampaignTransfer";

enum class CampaignType : uint8_t { kPreElection, kElection, kTransfer };

class Raft {
 public:
  // REQUIRES: config.Validate() is ok.
  explicit Raft(const Config& config);
  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  StepResult Step(Message m);
  void Tick();
  // Layer 2 of the peer-input rule above: an error for a message that
  // passed layer 1 but that Step, in the node's present state, would stop
  // on. OK means Step(m) is safe. Pure; peer_check.cc.
  Result<void> CheckPeerMessage(const Message& m) const;

  // Outputs, drained by RawNode when it builds a Ready.
  // msgs: may be sent at once. msgs_after_append: only after the Ready that
  // produced them is durable (votes, append acknowledgements, self-acks).
  std::vector<Message> TakeMessages();
  std::vector<Message> TakeMessagesAfterAppend();
  std::vector<ReadState> TakeReadStates();
  bool HasPendingOutput() const {
    return !msgs_.empty() || !msgs_after_append_.empty() || !read_states_.empty();
  }

  SoftState GetSoftState() const { return SoftState{lead_, state_}; }
  HardState GetHardState() const { return HardState{term_, vote_, raft_log_.committed()}; }

  // Applies a committed configuration change (called by the host, through
  // RawNode, when it applies the entry). Returns the new configuration.
  ConfState ApplyConfChange(const ConfChangeV2& cc);
  // Why `cc` cannot be applied to the current configuration ("" if it can);
  // ApplyConfChange CHECKs that it can.
  std::string DryRunConfChange(const ConfChangeV2& cc) const;
  // The host applied entries up to `index`, `bytes` of payload in total.
  void OnApplied(uint64_t index, uint64_t bytes);

  NodeId id() const { return id_; }
  uint64_t term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId lead() const { return lead_; }
  StateRole state() const { return state_; }
  bool is_learner() const { return is_learner_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  uint64_t pending_conf_index() const { return pending_conf_index_; }
  uint64_t uncommitted_size() const { return uncommitted_size_; }
  int election_elapsed() const { return election_elapsed_; }
  int randomized_election_timeout() const { return randomized_election_timeout_; }
  const RaftLog& raft_log() const { return raft_log_; }
  RaftLog& mutable_raft_log() { return raft_log_; }
  const ProgressTracker& tracker() const { return trk_; }
  // How many times a configuration was switched to (membership changes,
  // restores): a Progress may be created afresh at each.
  uint64_t config_switches() const { return config_switches_; }
  const ReadOnly& read_only() const { return read_only_; }
  // Whether this node may campaign as a voter: a voter with no snapshot
  // pending. Public for the simulator's checks.
  bool Promotable() const;
  // Whether this node, outside the voters of its configuration (a learner,
  // or removed), may campaign anyway: Raft thesis §4.2.2. Configurations
  // take effect when applied, so a voter that has not yet learned that its
  // node's removal committed still counts it, and may need the vote of a
  // node whose log is longer than its own; only that node can then be
  // elected. Only its election timer makes it campaign (never a host's
  // Campaign() or a MsgTimeoutNow), with pre-vote whatever the pre_vote
  // option says; it never counts its own vote, and as leader it hands
  // leadership to a voter once its no-op commits. See docs/architecture.md,
  // "Non-voters campaign".
  bool NonVoterMayCampaign() const;
  // Promotable or NonVoterMayCampaign, and no committed conf change left to
  // apply (the voter set would be stale): whether an election timeout makes
  // this node campaign.
  bool CanCampaign() const {
    return (Promotable() || NonVoterMayCampaign()) && !HasUnappliedConfChanges();
  }
  bool HasUnappliedConfChanges() const;

 private:
  // Tests reach internal transitions (BecomeCandidate, ...) through this.
  friend class RaftTestAccess;

  // raft.cc
  void LoadState(const HardState& hs);
  void Reset(uint64_t term);
  void BecomeFollower(uint64_t term, NodeId lead);
  void BecomeCandidate();
  void BecomePreCandidate();
  void BecomeLeader();
  void ResetRandomizedElectionTimeout();
  bool PastElectionTimeout() const { return election_elapsed_ >= randomized_election_timeout_; }
  void TickElection();
  void TickHeartbeat();
  bool StepByTerm(const Message& m, bool* handled);
  void Send(Message m);
  bool IncreaseUncommittedSize(const std::vector<Entry>& entries);
  void ReduceUncommittedSize(uint64_t bytes);
  void AbortLeaderTransfer() { lead_transferee_ = kNone; }

  // election.cc
  void Hup(CampaignType type);
  // An election timeout at a node outside the voters (NonVoterMayCampaign).
  void CampaignAsNonVoter();
  void Campaign(CampaignType type);
  VoteResult Poll(NodeId id, MessageType type, bool granted);
  void HandleVoteRequest(const Message& m);
  StepResult StepCandidate(const Message& m);

  // replication.cc
  bool MaybeSendAppend(NodeId to, bool send_if_empty);
  void SendAppend(NodeId to) { MaybeSendAppend(to, true); }
  bool MaybeSendSnapshot(NodeId to, Progress* pr);
  void SendHeartbeat(NodeId to, const std::string& context);
  void BcastAppend();
  void BcastHeartbeat();
  void BcastHeartbeatWithContext(const std::string& context);
  bool AppendEntry(std::vector<Entry> entries);
  bool MaybeCommit();
  void HandleAppendEntries(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  bool Restore(const Snapshot& snapshot);
  void HandleAppendResponse(const Message& m, Progress* pr);
  void HandleHeartbeatResponse(const Message& m, Progress* pr);
  void HandleSnapStatus(const Message& m, Progress* pr);

  // leader.cc
  StepResult StepLeader(Message& m);
  StepResult StepFollower(Message& m);
  StepResult HandlePropose(Message& m);
  void HandleTransferLeader(const Message& m, Progress* pr);
  void SendTimeoutNow(NodeId to);

  // read_index.cc
  void HandleReadIndexAtLeader(const Message& m);
  void SendReadIndexResponse(const Message& request, uint64_t index);
  void ReleasePendingReadIndexMessages();
  bool CommittedEntryInCurrentTerm() const;

  // membership.cc
  ConfState SwitchToConfig(const TrackerConfig& config, const ProgressMap& progress);
  // A leader outside the voters (removed or demoted) hands leadership over.
  void MaybeHandOffLeadership();
  static uint64_t LeaseTicks(const Config& config);
  // Lease-based reads: a quorum confirmed this leader less than a lease ago.
  bool InLease() const;

  NodeId id_;
  // Persistent state (the hard state). Invariant: term_ never decreases;
  // vote_ changes within a term only from kNone.
  uint64_t term_ = 0;
  NodeId vote_ = kNone;
  RaftLog raft_log_;

  uint64_t max_msg_size_;
  uint64_t max_uncommitted_size_;
  ProgressTracker trk_;

  StateRole state_ = StateRole::kFollower;
  bool is_learner_ = false;
  NodeId lead_ = kNone;
  // Non-zero while leadership is being handed to this node.
  NodeId lead_transferee_ = kNone;
  // Only one configuration change may be pending (proposed but not applied):
  // the index of the latest one, or the leader's last index at election.
  uint64_t pending_conf_index_ = 0;
  uint64_t config_switches_ = 0;
  // Payload bytes of uncommitted entries at the leader.
  uint64_t uncommitted_size_ = 0;

  ReadOnly read_only_;
  std::vector<ReadState> read_states_;
  // ReadIndex requests that arrived before the leader committed an entry in its term.
  std::vector<Message> pending_read_index_messages_;

  std::vector<Message> msgs_;
  std::vector<Message> msgs_after_append_;

  int election_elapsed_ = 0;   // ticks since the last election timeout reset
  int heartbeat_elapsed_ = 0;  // leader only
  bool check_quorum_;
  bool pre_vote_;
  bool disable_proposal_forwarding_;
  int heartbeat_timeout_;
  int election_timeout_;
  uint64_t ticks_ = 0;  // ticks since this node (process) started
  // Lease-based reads: ticks a quorum-confirmed round stays a lease.
  uint64_t lease_ticks_;
  // A transfer was started this term: the transferee's forced election
  // ignores the followers' lease, so the lease is void until the term ends.
  bool lease_void_ = false;
  // In [election_timeout_, 2 * election_timeout_), redrawn on every reset.
  int randomized_election_timeout_ = 0;

  Prng& prng_;
  Logger* logger_;

  // Planted bugs (the bug zoo, core/base/bugs.h): empty in every correct run.
  BugSet bugs_;
  // Bug zoo B20 (double-count-votes): granted vote responses of this
  // election, counted as they arrive (a duplicate counts again).
  size_t granted_vote_count_ = 0;
  // Bug zoo B21 (same-election-seed): a stream every node starts from the
  // same constant seed; drawn from only when that bug is planted.
  Prng same_seed_prng_;
};

}  // namespace raftlab::raft
