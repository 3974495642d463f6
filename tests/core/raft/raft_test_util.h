// Test utilities for the Raft core: access to Raft's private transitions,
// builders for bare Raft nodes over an in-memory log, and a stand-in for
// RawNode::Advance so a bare Raft can be driven like a host would drive it.
//
// A bare Raft counts its own append acknowledgement and its own vote only
// when they are stepped back after the host persisted (see raw_node.h);
// ReadMessages() and PersistAndAck() do that, so tests see etcd-like
// behaviour without a RawNode.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/invariants.h"
#include "core/raft/memory_storage.h"
#include "core/raft/raft.h"
#include "core/raft/raw_node.h"
#include "sim/raft/raft_network.h"

namespace raftlab::raft {

// Static wrappers over Raft's private members (Raft befriends this class).
class RaftTestAccess {
 public:
  static void BecomeFollower(Raft& r, uint64_t term, NodeId lead) { r.BecomeFollower(term, lead); }
  static void BecomeCandidate(Raft& r) { r.BecomeCandidate(); }
  static void BecomePreCandidate(Raft& r) { r.BecomePreCandidate(); }
  static void BecomeLeader(Raft& r) { r.BecomeLeader(); }
  static void Campaign(Raft& r, CampaignType type) { r.Campaign(type); }
  static void LoadState(Raft& r, const HardState& hs) { r.LoadState(hs); }
  static void TickElection(Raft& r) { r.TickElection(); }
  static void TickHeartbeat(Raft& r) { r.TickHeartbeat(); }
  static void SetRandomizedElectionTimeout(Raft& r, int ticks) {
    r.randomized_election_timeout_ = ticks;
  }
  static int ElectionTimeout(const Raft& r) { return r.election_timeout_; }
  static int HeartbeatTimeout(const Raft& r) { return r.heartbeat_timeout_; }
  static ProgressTracker& Tracker(Raft& r) { return r.trk_; }
  // Appends entries as the leader does for a proposal (no broadcast).
  static bool AppendEntry(Raft& r, std::vector<Entry> entries) {
    return r.AppendEntry(std::move(entries));
  }
  static void SendAppend(Raft& r, NodeId to) { r.SendAppend(to); }
  static void BcastAppend(Raft& r) { r.BcastAppend(); }
  static void BcastHeartbeat(Raft& r) { r.BcastHeartbeat(); }
  static bool MaybeCommit(Raft& r) { return r.MaybeCommit(); }
  // Messages queued but not yet taken (neither list is cleared).
  static const std::vector<Message>& PendingMessages(const Raft& r) { return r.msgs_; }
  static const std::vector<Message>& PendingAfterAppend(const Raft& r) {
    return r.msgs_after_append_;
  }
};

// A MemoryStorage whose empty log comes with a configuration, as if a
// snapshot at index 0 held `conf_state` (MemoryStorage cannot store one).
// Once a real snapshot is applied, its configuration takes over.
class TestStorage : public MemoryStorage {
 public:
  explicit TestStorage(ConfState conf_state) : conf_state_(std::move(conf_state)) {}

  InitialState GetInitialState() const override;

 private:
  ConfState conf_state_;
};

// A configuration with the given voters (sorted, as ConfState requires).
ConfState Voters(std::vector<NodeId> ids);
// Node ids 1..n.
std::vector<NodeId> IdsBySize(size_t n);
// Entries with the given terms at indexes first_index, first_index+1, ...
std::vector<Entry> EntriesWithTerms(const std::vector<uint64_t>& terms, uint64_t first_index = 1);
// An entry at (term, index) with optional payload.
Entry MakeEntry(uint64_t term, uint64_t index, std::string data = "");

// A storage holding `conf_state`, the entries `log` (starting at index 1)
// and the hard state `hs`.
std::unique_ptr<TestStorage> NewStorage(const ConfState& conf_state,
                                        const std::vector<Entry>& log = {},
                                        const HardState& hs = {});

struct TestRaftOptions {
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool pre_vote = false;
  bool check_quorum = false;
  uint64_t max_size_per_msg = kNoLimit;
  size_t max_inflight_msgs = 256;
  uint64_t max_uncommitted_entries_size = kNoLimit;
  ReadOnlyOption read_only_option = ReadOnlyOption::kSafe;
  uint32_t max_clock_drift_ppm = 100'000;
  uint64_t seed = 1;  // the node's election-timeout stream (fixed: runs repeat)
  BugSet bugs;        // planted bugs (bug zoo tests only)
};

// A bare Raft with everything it refers to (storage, randomness).
// Outgoing messages that the Advance stand-in set aside wait in `outbox`.
struct TestRaft {
  std::unique_ptr<TestStorage> storage;
  std::unique_ptr<Prng> prng;
  std::unique_ptr<Raft> raft;
  std::vector<Message> outbox;

  Raft& operator*() { return *raft; }
  Raft* operator->() { return raft.get(); }
};

// REQUIRES: storage != nullptr.
TestRaft NewTestRaft(NodeId id, std::unique_ptr<TestStorage> storage,
                     const TestRaftOptions& options = {});
// A node of a fresh cluster with the given voters and an empty log.
TestRaft NewTestRaft(NodeId id, const std::vector<NodeId>& voters,
                     const TestRaftOptions& options = {});

// A RawNode with everything it refers to, for tests of the Ready contract.
struct TestRawNode {
  std::unique_ptr<TestStorage> storage;
  std::unique_ptr<Prng> prng;
  std::unique_ptr<RawNode> raw;

  RawNode* operator->() { return raw.get(); }
};

// REQUIRES: storage != nullptr.
TestRawNode NewTestRawNode(NodeId id, std::unique_ptr<TestStorage> storage,
                           const TestRaftOptions& options = {});

// The Config of node `id` over `storage` and `prng` (both must outlive it).
Config TestConfig(NodeId id, const Storage* storage, Prng* prng, const TestRaftOptions& options);

// What RawNode::Advance does once the host persisted a Ready: writes the
// unstable snapshot, entries and hard state to storage, marks them stable,
// then steps the node's self-addressed messages (its vote, its append
// acknowledgement). Repeats while stepping produces more of them. Messages
// for other nodes that must wait for persistence are moved to t.outbox.
void PersistAndAck(TestRaft& t);

// Persists and acknowledges as above, then returns (and clears) every
// message addressed to another node: queued ones first, then the outbox.
std::vector<Message> ReadMessages(TestRaft& t);

// Persists and acknowledges, then returns the committed entries not yet
// applied and marks them applied (the host's apply step).
std::vector<Entry> NextEnts(TestRaft& t);

// The follower's success answer to a MsgApp `m`: a MsgAppResp acknowledging
// everything the message carried.
Message AcceptAndReply(const Message& m);

// A message of `type` from `from` to `to` in `term`.
Message MakeMsg(NodeId from, NodeId to, MessageType type, uint64_t term = 0);

// Sorts messages by (to, type) so tests can compare them in a fixed order.
void SortByRecipient(std::vector<Message>* msgs);

// Adds node `id` to `net` with its durable log set to `log` after the
// snapshot `initial` (entries must start at initial index + 1) and hard
// state `hs`, by adding it, crashing it, writing storage and restarting it.
void AddNodeWithLog(sim::RaftNetwork& net, NodeId id, const sim::RaftNodeOptions& options,
                    const Snapshot& initial, const std::vector<Entry>& log, const HardState& hs);

// A snapshot at (index, term) holding a configuration of `voters`.
Snapshot ConfSnapshot(uint64_t index, uint64_t term, const std::vector<NodeId>& voters);

// One round of a partitioned network: processes every up node's Readies,
// drops the queued messages for which `drop` is true, and delivers the rest.
// Returns true if anything happened.
bool StepNetwork(sim::RaftNetwork& net, const std::function<bool(const Message&)>& drop);

// Runs StepNetwork until the network is quiet (at most max_rounds); calls
// `after_round` (when set) after every round. Returns true if it went quiet.
bool StabilizeNetwork(sim::RaftNetwork& net, const std::function<bool(const Message&)>& drop,
                      const std::function<void()>& after_round = nullptr, int max_rounds = 1000);

// Terms of the node's log at indexes 1..LastIndex() (0 where compacted),
// including entries still unstable.
std::vector<uint64_t> LogTerms(const Raft& r);

// The invariants checker's view of a bare node (its storage holds the
// durable hard state).
NodeView ViewOf(const TestRaft& t);

// gtest printers (found by argument-dependent lookup), so failures show
// "1->2 MsgApp Term:1 ..." instead of bytes.
// --- Leader-side helpers for read, lease and bug-zoo tests ---

// `options` with the bug-zoo mutation `bug` planted if `planted`.
TestRaftOptions WithBug(Bug bug, bool planted, TestRaftOptions options = {});
// A local proposal of one normal entry holding `data`.
Message Propose(NodeId id, const std::string& data);

// A local linearizable-read request carrying `ctx`.
Message ReadIndex(NodeId id, const std::string& ctx);
// Makes `t` leader of the next term, as winning an election does: its empty
// entry goes out in MsgApps (still queued).
void ElectLeader(TestRaft& t);
// Makes `t` (just elected by ElectLeader) commit its empty entry with every
// follower's acknowledgement, then applies it.
void AckNoopEntry(TestRaft& t);
// Answers every heartbeat in `msgs` (the sender's queue) as a live follower.
void AnswerHeartbeats(TestRaft& t, const std::vector<Message>& msgs);
std::vector<Message> OfType(const std::vector<Message>& msgs, MessageType type);
// The indexes of the ReadStates `t` produced since the last call.
std::vector<uint64_t> ReadIndexes(TestRaft& t);
// A heartbeat round that every follower acknowledges: under lease-based
// reads, it starts the leader's lease.
void ConfirmedHeartbeatRound(TestRaft& t, const TestRaftOptions& options);

void PrintTo(const Entry& e, std::ostream* os);
void PrintTo(const Message& m, std::ostream* os);
void PrintTo(const HardState& hs, std::ostream* os);
void PrintTo(const ConfState& cs, std::ostream* os);

}  // namespace raftlab::raft
