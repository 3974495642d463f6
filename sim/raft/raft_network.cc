#include "sim/raft/raft_network.h"

#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/raft/describe.h"

namespace raftlab::sim {

using raft::Message;
using raft::MessageType;
using raft::NodeId;

RaftNetwork::RaftNetwork(uint64_t seed, raft::Logger* logger) : root_(seed), logger_(logger) {}

void RaftNetwork::AddNode(NodeId id, const RaftNodeOptions& options,
                          const raft::Snapshot& initial) {
  CHECK(!Has(id));
  Node& n = nodes_[id];
  n.id = id;
  n.options = options;
  n.prng = std::make_unique<Prng>(root_.Split());  // one stream per node, in creation order
  n.storage = std::make_unique<raft::MemoryStorage>();
  if (!initial.IsEmpty()) {
    CHECK(n.storage->ApplySnapshot(initial));
    n.storage->SetHardState(raft::HardState{initial.metadata.term, raft::kNone,
                                            initial.metadata.index});
  }
  n.applied_index = initial.metadata.index;
  n.conf_state = initial.metadata.conf_state;
  n.raw = MakeRawNode(n, initial.metadata.index);
}

std::unique_ptr<raft::RawNode> RaftNetwork::MakeRawNode(Node& n, uint64_t applied) {
  raft::Config c;
  c.id = n.id;
  c.election_tick = n.options.election_tick;
  c.heartbeat_tick = n.options.heartbeat_tick;
  c.storage = n.storage.get();
  c.applied = applied;
  c.max_size_per_msg = n.options.max_size_per_msg;
  c.max_committed_size_per_ready = n.options.max_committed_size_per_ready;
  c.max_uncommitted_entries_size = n.options.max_uncommitted_entries_size;
  c.max_inflight_msgs = n.options.max_inflight_msgs;
  c.max_inflight_bytes = n.options.max_inflight_bytes;
  c.check_quorum = n.options.check_quorum;
  c.pre_vote = n.options.pre_vote;
  c.read_only_option = n.options.read_only;
  c.disable_proposal_forwarding = n.options.disable_proposal_forwarding;
  c.prng = n.prng.get();
  c.logger = logger_;
  return std::make_unique<raft::RawNode>(c);
}

RaftNetwork::Node& RaftNetwork::node(NodeId id) {
  auto it = nodes_.find(id);
  CHECK_MSG(it != nodes_.end(), "no node " + std::to_string(id));
  return it->second;
}

const RaftNetwork::Node& RaftNetwork::node(NodeId id) const {
  auto it = nodes_.find(id);
  CHECK_MSG(it != nodes_.end(), "no node " + std::to_string(id));
  return it->second;
}

std::vector<NodeId> RaftNetwork::Ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, n] : nodes_) ids.push_back(id);
  return ids;
}

void RaftNetwork::Persist(Node& n, const raft::Ready& rd) {
  if (!rd.snapshot.IsEmpty()) CHECK(n.storage->ApplySnapshot(rd.snapshot));
  if (!rd.hard_state.IsEmpty()) n.storage->SetHardState(rd.hard_state);
  n.storage->Append(rd.entries);
  // Read back what the next step relies on (pair a check before persisting
  // with one after reading back).
  if (!rd.entries.empty()) CHECK_EQ(n.storage->LastIndex(), rd.entries.back().index);
}

// The Ready contract, checked at the moment a message leaves: it may only
// promise what the sender's durable storage already holds.
void RaftNetwork::CheckDurable(const Node& n, const Message& m) const {
  const raft::MemoryStorage& s = *n.storage;
  if (m.type == MessageType::kVoteResp && !m.reject) {
    CHECK_EQ(s.hard_state().term, m.term);
    CHECK_EQ(s.hard_state().vote, m.to);
  }
  if (m.type == MessageType::kAppResp && !m.reject) {
    CHECK_LE(m.index, s.LastIndex());
  }
  if (m.type == MessageType::kAppResp || m.type == MessageType::kVote) {
    // The term a node speaks in must be durable: after a crash it would
    // otherwise speak in an older term again.
    CHECK_LE(m.term, s.hard_state().term);
  }
}

void RaftNetwork::Apply(Node& n, const raft::Ready& rd) {
  if (!rd.snapshot.IsEmpty()) {
    n.applied_index = rd.snapshot.metadata.index;
    n.conf_state = rd.snapshot.metadata.conf_state;
  }
  for (const raft::Entry& e : rd.committed_entries) {
    CHECK_EQ(e.index, n.applied_index + 1);  // in order, no gaps
    n.applied_index = e.index;
    for (std::string& v : invariants_.RecordApplied(n.id, e)) {
      pending_violations_.push_back(std::move(v));
    }
    if (e.type == raft::EntryType::kNormal) {
      if (!e.data.empty()) n.applied.push_back(e);
      continue;
    }
    Result<raft::ConfChangeV2> cc = raft::DecodeConfChange(e);
    CHECK_MSG(cc.has_value(), "undecodable conf change in a committed entry");
    n.conf_state = n.raw->ApplyConfChange(*cc);
    // Like a real application, keep a snapshot that reflects the current
    // configuration, so a member added later can be caught up with one.
    if (e.index > n.storage->FirstIndex() - 1) {
      CHECK(n.storage->CreateSnapshot(e.index, n.conf_state, "").has_value());
    }
  }
  for (const raft::ReadState& rs : rd.read_states) n.read_states.push_back(rs);
}

bool RaftNetwork::ProcessReady(NodeId id, std::string* out) {
  Node& n = node(id);
  if (!n.raw || !n.raw->HasReady()) return false;
  raft::Ready rd = n.raw->GetReady();
  if (out != nullptr) *out += raft::DescribeReady(rd) + "\n";
  Persist(n, rd);
  for (Message& m : rd.messages) {
    CheckDurable(n, m);
    in_flight_.push_back(std::move(m));
  }
  Apply(n, rd);
  n.raw->Advance();
  return true;
}

void RaftNetwork::Deliver(const Message& m, std::string* out) {
  auto it = nodes_.find(m.to);
  if (it == nodes_.end() || !it->second.raw) {
    // Unknown or down: lost. The transport still tells the leader that a
    // snapshot did not arrive, or it would wait for it forever.
    auto sender = nodes_.find(m.from);
    if (m.type == MessageType::kSnap && sender != nodes_.end() && sender->second.raw) {
      sender->second.raw->ReportSnapshot(m.to, /*failed=*/true);
    }
    return;
  }
  if (out != nullptr) *out += raft::DescribeMessage(m) + "\n";
  const raft::StepResult r = it->second.raw->Step(m);
  if (out != nullptr && r != raft::StepResult::kOk) {
    *out += std::string("  ") + raft::StepResultName(r) + "\n";
  }
  // The transport tells the leader a snapshot arrived (etcd's rafthttp does).
  if (m.type == MessageType::kSnap) {
    auto sender = nodes_.find(m.from);
    if (sender != nodes_.end() && sender->second.raw) {
      sender->second.raw->ReportSnapshot(m.to, /*failed=*/false);
    }
  }
}

size_t RaftNetwork::DeliverTo(NodeId to, std::string* out) {
  std::vector<Message> msgs = Take([to](const Message& m) { return m.to == to; });
  for (const Message& m : msgs) Deliver(m, out);
  return msgs.size();
}

std::vector<Message> RaftNetwork::Take(const std::function<bool(const Message&)>& pred) {
  std::vector<Message> taken;
  std::vector<Message> kept;
  for (Message& m : in_flight_) {
    (pred(m) ? taken : kept).push_back(std::move(m));
  }
  in_flight_ = std::move(kept);
  return taken;
}

size_t RaftNetwork::Drop(const std::function<bool(const Message&)>& pred, std::string* out) {
  std::vector<Message> dropped = Take(pred);
  for (const Message& m : dropped) {
    if (out != nullptr) *out += "dropped: " + raft::DescribeMessage(m) + "\n";
    if (m.type != MessageType::kSnap) continue;
    auto sender = nodes_.find(m.from);
    if (sender != nodes_.end() && sender->second.raw) {
      sender->second.raw->ReportSnapshot(m.to, /*failed=*/true);
    }
  }
  return dropped.size();
}

bool RaftNetwork::Stabilize(std::string* out, int max_rounds) {
  for (int round = 0; round < max_rounds; ++round) {
    bool busy = false;
    for (NodeId id : Ids()) {
      while (ProcessReady(id, out)) busy = true;
    }
    for (NodeId id : Ids()) {
      if (DeliverTo(id, out) > 0) busy = true;
    }
    if (!busy) return true;
  }
  return false;
}

void RaftNetwork::Crash(NodeId id) {
  Node& n = node(id);
  CHECK(n.raw != nullptr);
  n.raw.reset();
  n.applied.clear();
  n.read_states.clear();
}

void RaftNetwork::Restart(NodeId id) {
  Node& n = node(id);
  CHECK(n.raw == nullptr);
  ++n.incarnation;
  raft::StorageResult<raft::Snapshot> snap = n.storage->GetSnapshot();
  CHECK(snap.has_value());
  n.applied_index = snap->metadata.index;
  n.conf_state = snap->metadata.conf_state;
  n.raw = MakeRawNode(n, n.applied_index);
}

std::vector<raft::NodeView> RaftNetwork::Views() const {
  std::vector<raft::NodeView> views;
  for (const auto& [id, n] : nodes_) {
    raft::NodeView v;
    v.id = id;
    v.up = n.raw != nullptr;
    v.incarnation = n.incarnation;
    v.durable = n.storage->hard_state();
    if (v.up) {
      const raft::Raft& r = n.raw->raft();
      raft::ViewVolatileState(r, &v);
      v.snapshot_term = r.raft_log().TermOrZero(v.snapshot_index);
      v.log = r.raft_log().AllEntries();
    }
    views.push_back(std::move(v));
  }
  return views;
}

std::vector<std::string> RaftNetwork::CheckInvariants() {
  std::vector<std::string> out = std::exchange(pending_violations_, {});
  for (std::string& v : invariants_.Check(Views())) out.push_back(std::move(v));
  return out;
}

}  // namespace raftlab::sim
