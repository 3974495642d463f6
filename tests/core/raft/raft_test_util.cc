#include "tests/core/raft/raft_test_util.h"

#include <algorithm>
#include <tuple>

#include "core/base/check.h"
#include "core/raft/describe.h"

namespace raftlab::raft {

InitialState TestStorage::GetInitialState() const {
  InitialState s = MemoryStorage::GetInitialState();
  StorageResult<Snapshot> snap = GetSnapshot();
  const bool has_snapshot = snap.has_value() && !snap->IsEmpty();
  if (!has_snapshot) s.conf_state = conf_state_;
  return s;
}

ConfState Voters(std::vector<NodeId> ids) {
  ConfState cs;
  std::sort(ids.begin(), ids.end());
  cs.voters = std::move(ids);
  return cs;
}

std::vector<NodeId> IdsBySize(size_t n) {
  std::vector<NodeId> ids;
  for (size_t i = 1; i <= n; ++i) ids.push_back(i);
  return ids;
}

std::vector<Entry> EntriesWithTerms(const std::vector<uint64_t>& terms, uint64_t first_index) {
  std::vector<Entry> out;
  for (size_t k = 0; k < terms.size(); ++k) out.push_back(MakeEntry(terms[k], first_index + k));
  return out;
}

Entry MakeEntry(uint64_t term, uint64_t index, std::string data) {
  return Entry{term, index, EntryType::kNormal, std::move(data)};
}

std::unique_ptr<TestStorage> NewStorage(const ConfState& conf_state, const std::vector<Entry>& log,
                                        const HardState& hs) {
  auto s = std::make_unique<TestStorage>(conf_state);
  if (!log.empty()) CHECK_EQ(log.front().index, 1u);
  s->Append(log);
  s->SetHardState(hs);
  return s;
}

TestRaft NewTestRaft(NodeId id, std::unique_ptr<TestStorage> storage,
                     const TestRaftOptions& options) {
  CHECK(storage != nullptr);
  TestRaft t;
  t.storage = std::move(storage);
  t.prng = std::make_unique<Prng>(options.seed);
  t.raft = std::make_unique<Raft>(TestConfig(id, t.storage.get(), t.prng.get(), options));
  return t;
}

TestRawNode NewTestRawNode(NodeId id, std::unique_ptr<TestStorage> storage,
                           const TestRaftOptions& options) {
  CHECK(storage != nullptr);
  TestRawNode n;
  n.storage = std::move(storage);
  n.prng = std::make_unique<Prng>(options.seed);
  n.raw = std::make_unique<RawNode>(TestConfig(id, n.storage.get(), n.prng.get(), options));
  return n;
}

Config TestConfig(NodeId id, const Storage* storage, Prng* prng, const TestRaftOptions& options) {
  Config c;
  c.id = id;
  c.election_tick = options.election_tick;
  c.heartbeat_tick = options.heartbeat_tick;
  c.storage = storage;
  c.max_size_per_msg = options.max_size_per_msg;
  c.max_inflight_msgs = options.max_inflight_msgs;
  c.pre_vote = options.pre_vote;
  c.check_quorum = options.check_quorum;
  c.max_uncommitted_entries_size = options.max_uncommitted_entries_size;
  c.read_only_option = options.read_only_option;
  c.max_clock_drift_ppm = options.max_clock_drift_ppm;
  c.prng = prng;
  c.bugs = options.bugs;
  return c;
}

TestRaft NewTestRaft(NodeId id, const std::vector<NodeId>& voters, const TestRaftOptions& options) {
  return NewTestRaft(id, NewStorage(Voters(voters)), options);
}

namespace {

// The host's persistence step: the unstable snapshot and entries go to
// storage and are marked stable; the hard state is written.
void Persist(TestRaft& t) {
  RaftLog& log = t.raft->mutable_raft_log();
  if (const std::optional<Snapshot>& snap = log.UnstableSnapshot()) {
    const Snapshot copy = *snap;
    CHECK(t.storage->ApplySnapshot(copy));
    log.StableSnapTo(copy.metadata.index);
    if (copy.metadata.index > log.applied()) log.AppliedTo(copy.metadata.index);
  }
  const std::vector<Entry> entries = log.UnstableEntries();
  if (!entries.empty()) {
    t.storage->Append(entries);
    log.StableTo(entries.back().index, entries.back().term);
    CHECK_EQ(t.storage->LastIndex(), entries.back().index);
  }
  t.storage->SetHardState(t.raft->GetHardState());
}

}  // namespace

void PersistAndAck(TestRaft& t) {
  // Bounded: each round steps only acknowledgements of what is now durable.
  for (int round = 0; round < 100; ++round) {
    std::vector<Message> after = t.raft->TakeMessagesAfterAppend();
    Persist(t);
    std::vector<Message> self;
    for (Message& m : after) {
      (m.to == t.raft->id() ? self : t.outbox).push_back(std::move(m));
    }
    if (self.empty()) return;
    for (Message& m : self) t.raft->Step(std::move(m));
  }
  CHECK_MSG(false, "PersistAndAck did not settle");
}

std::vector<Message> ReadMessages(TestRaft& t) {
  PersistAndAck(t);
  std::vector<Message> out = t.raft->TakeMessages();
  for (Message& m : t.outbox) out.push_back(std::move(m));
  t.outbox.clear();
  return out;
}

std::vector<Entry> NextEnts(TestRaft& t) {
  PersistAndAck(t);
  std::vector<Entry> ents = t.raft->raft_log().NextCommittedEntries();
  if (!ents.empty()) {
    uint64_t bytes = 0;
    for (const Entry& e : ents) bytes += PayloadSize(e);
    t.raft->OnApplied(ents.back().index, bytes);
  }
  return ents;
}

Message AcceptAndReply(const Message& m) {
  CHECK(m.type == MessageType::kApp);
  Message r = MakeMsg(m.to, m.from, MessageType::kAppResp, m.term);
  r.index = m.index + m.entries.size();
  return r;
}

Message MakeMsg(NodeId from, NodeId to, MessageType type, uint64_t term) {
  Message m;
  m.from = from;
  m.to = to;
  m.type = type;
  m.term = term;
  return m;
}

void SortByRecipient(std::vector<Message>* msgs) {
  std::stable_sort(msgs->begin(), msgs->end(), [](const Message& a, const Message& b) {
    return std::tie(a.to, a.type) < std::tie(b.to, b.type);
  });
}

Snapshot ConfSnapshot(uint64_t index, uint64_t term, const std::vector<NodeId>& voters) {
  Snapshot s;
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf_state = Voters(voters);
  return s;
}

void AddNodeWithLog(sim::RaftNetwork& net, NodeId id, const sim::RaftNodeOptions& options,
                    const Snapshot& initial, const std::vector<Entry>& log, const HardState& hs) {
  net.AddNode(id, options, initial);
  net.Crash(id);
  MemoryStorage& s = *net.node(id).storage;
  if (!log.empty()) CHECK_EQ(log.front().index, initial.metadata.index + 1);
  s.Append(log);
  s.SetHardState(hs);
  net.Restart(id);
}

bool StepNetwork(sim::RaftNetwork& net, const std::function<bool(const Message&)>& drop) {
  bool busy = false;
  for (NodeId id : net.Ids()) {
    while (net.ProcessReady(id)) busy = true;
  }
  if (drop) net.Drop(drop);
  for (NodeId id : net.Ids()) {
    if (net.DeliverTo(id) > 0) busy = true;
  }
  return busy;
}

bool StabilizeNetwork(sim::RaftNetwork& net, const std::function<bool(const Message&)>& drop,
                      const std::function<void()>& after_round, int max_rounds) {
  for (int round = 0; round < max_rounds; ++round) {
    const bool busy = StepNetwork(net, drop);
    if (after_round) after_round();
    if (!busy) return true;
  }
  return false;
}

std::vector<uint64_t> LogTerms(const Raft& r) {
  std::vector<uint64_t> terms;
  for (uint64_t i = 1; i <= r.raft_log().LastIndex(); ++i) {
    terms.push_back(r.raft_log().TermOrZero(i));
  }
  return terms;
}

NodeView ViewOf(const TestRaft& t) {
  const Raft& r = *t.raft;
  NodeView v;
  v.id = r.id();
  ViewVolatileState(r, &v);
  v.snapshot_term = r.raft_log().TermOrZero(v.snapshot_index);
  v.log = r.raft_log().AllEntries();
  v.durable = t.storage->hard_state();
  return v;
}

void PrintTo(const Entry& e, std::ostream* os) { *os << DescribeEntry(e); }
void PrintTo(const Message& m, std::ostream* os) { *os << DescribeMessage(m); }
void PrintTo(const HardState& hs, std::ostream* os) { *os << DescribeHardState(hs); }
void PrintTo(const ConfState& cs, std::ostream* os) { *os << DescribeConfState(cs); }

Message ReadIndex(NodeId id, const std::string& ctx) {
  Message m = MakeMsg(kNone, id, MessageType::kReadIndex);
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, ctx});
  return m;
}

void ElectLeader(TestRaft& t) {
  RaftTestAccess::BecomeCandidate(*t);
  RaftTestAccess::BecomeLeader(*t);
  RaftTestAccess::BcastAppend(*t);
}

TestRaftOptions WithBug(Bug bug, bool planted, TestRaftOptions options) {
  if (planted) options.bugs.Add(bug);
  return options;
}

Message Propose(NodeId id, const std::string& data) {
  Message m = MakeMsg(id, id, MessageType::kProp);
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, data});
  return m;
}

void AckNoopEntry(TestRaft& t) {
  CHECK(t->state() == StateRole::kLeader);
  for (const Message& m : ReadMessages(t)) {
    if (m.type == MessageType::kApp) t->Step(AcceptAndReply(m));
  }
  ReadMessages(t);
  NextEnts(t);
}

void AnswerHeartbeats(TestRaft& t, const std::vector<Message>& msgs) {
  for (const Message& m : msgs) {
    if (m.type != MessageType::kHeartbeat) continue;
    Message resp = MakeMsg(m.to, m.from, MessageType::kHeartbeatResp, m.term);
    resp.context = m.context;
    t->Step(resp);
  }
}

std::vector<Message> OfType(const std::vector<Message>& msgs, MessageType type) {
  std::vector<Message> out;
  for (const Message& m : msgs) {
    if (m.type == type) out.push_back(m);
  }
  return out;
}

std::vector<uint64_t> ReadIndexes(TestRaft& t) {
  std::vector<uint64_t> out;
  for (const ReadState& rs : t->TakeReadStates()) out.push_back(rs.index);
  return out;
}

void ConfirmedHeartbeatRound(TestRaft& t, const TestRaftOptions& options) {
  for (int i = 0; i < options.heartbeat_tick; ++i) t->Tick();
  AnswerHeartbeats(t, ReadMessages(t));
  ReadMessages(t);
}

}  // namespace raftlab::raft
