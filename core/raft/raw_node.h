// RawNode: the host's interface to one Raft node, and the Ready contract.
//
// The host drives a loop:
//
//   feed inputs:  Tick(), Step(message), Propose(data), ProposeConfChange(cc),
//                 ReadIndex(ctx), TransferLeader(to), Report*(...)
//   if HasReady():
//     Ready rd = GetReady();
//     1. persist rd.snapshot, rd.entries and rd.hard_state (when non-empty),
//        and fsync if rd.must_sync;
//     2. send rd.messages;
//     3. apply rd.snapshot, then rd.committed_entries in order (calling
//        ApplyConfChange for configuration entries); serve rd.read_states once
//        applied >= their index;
//     4. Advance().
//
// Asynchronous apply (what etcd's server does): a host may instead call
// AdvanceUnapplied() after steps 1-2 and apply the committed entries later,
// reporting each batch with AppliedTo(index) once applied, in order. Until
// then those entries count as unapplied: the node does not campaign while a
// committed conf change is unapplied (its voter set would be stale) and a
// leader takes no new conf change. Later Readys hand out only entries not
// handed out before. A Ready carrying a snapshot must be applied after every
// earlier batch, so the host finishes those first.
//
// Durability rule: step 1 completes before any message of this Ready leaves
// (step 2). The one exception a host may take is a leader's MsgApp, MsgSnap
// and MsgHeartbeat, which carry nothing the leader must have persisted; a
// leader's own acknowledgement of its entries is counted only at Advance, so
// sending them early never commits anything that is not durable on a quorum.
// Votes, vote responses and append responses must never leave before step 1.
//
// Only one Ready is outstanding: GetReady() again before Advance() is a bug.
// Steps and ticks between GetReady() and Advance() are allowed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/config.h"
#include "core/raft/raft.h"
#include "core/raft/types.h"

namespace raftlab::raft {

struct Ready {
  std::optional<SoftState> soft_state;  // set when leader or role changed
  HardState hard_state;                 // empty when unchanged
  std::vector<ReadState> read_states;
  std::vector<Entry> entries;            // to persist (may overwrite a suffix)
  Snapshot snapshot;                     // to persist and apply; empty if none
  std::vector<Entry> committed_entries;  // to apply, in order
  std::vector<Message> messages;         // to send after persisting (see above)
  bool must_sync = false;                // term, vote or entries changed: fsync

  bool ContainsUpdates() const;
};

struct Status {
  NodeId id = kNone;
  HardState hard_state;
  SoftState soft_state;
  uint64_t applied = 0;
  NodeId lead_transferee = kNone;
  TrackerConfig config;
  std::map<NodeId, Progress> progress;  // only on the leader
};

class RawNode {
 public:
  // REQUIRES: config.Validate() is ok.
  explicit RawNode(const Config& config);

  void Tick() { raft_.Tick(); }
  // Starts an election now (ignores the election timeout).
  void Campaign();
  StepResult Propose(std::string data);
  StepResult ProposeConfChange(const ConfChange& cc);
  StepResult ProposeConfChange(const ConfChangeV2& cc);
  ConfState ApplyConfChange(const ConfChangeV2& cc) { return raft_.ApplyConfChange(cc); }
  // A message from a peer. Local message types are refused.
  StepResult Step(const Message& m);
  // Requests a linearizable read; the answer arrives as a ReadState with `context`.
  void ReadIndex(std::string context);
  void TransferLeader(NodeId transferee);
  void ReportUnreachable(NodeId id);
  void ReportSnapshot(NodeId id, bool failed);

  bool HasReady() const;
  Ready GetReady();
  void Advance();
  // Like Advance(), but rd.committed_entries stay unapplied until AppliedTo.
  void AdvanceUnapplied();
  // The host applied every committed entry handed out up to `index` (the
  // last entry of a batch from an AdvanceUnapplied Ready).
  void AppliedTo(uint64_t index);

  Status GetStatus() const;
  const Raft& raft() const { return raft_; }

 private:
  StepResult ProposeEntry(EntryType type, std::string data);
  void AdvanceImpl(bool applied);

  Raft raft_;
  SoftState prev_soft_state_;
  HardState prev_hard_state_;

  // What the outstanding Ready handed out, to be acknowledged by Advance().
  bool ready_outstanding_ = false;
  std::optional<std::pair<uint64_t, uint64_t>> stable_to_;  // (index, term)
  uint64_t stable_snapshot_index_ = 0;
  uint64_t applied_to_ = 0;
  uint64_t applied_bytes_ = 0;
  std::vector<Message> self_messages_;  // the node's own acks, stepped at Advance
  // Batches advanced unapplied: (last index, payload bytes), oldest first.
  std::vector<std::pair<uint64_t, uint64_t>> unapplied_batches_;
};

}  // namespace raftlab::raft
