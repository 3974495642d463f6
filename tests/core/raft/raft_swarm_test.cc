// Swarm test of the Raft core on sim::RaftNetwork: each seed draws its own
// knobs (pre-vote, check-quorum, message size, inflight window, fault
// rates), then runs a safety phase with message loss, reordering,
// duplication, crashes, restarts and log compaction, checking every Raft
// invariant after every step; then a liveness phase on a healed network in
// which the cluster must elect a leader, commit a new entry and converge.
//
// RAFT_SWARM_SEEDS=N runs seeds 1..N (default 200); RAFT_SWARM_SEED=S runs
// only seed S; RAFT_SWARM_VERBOSE=1 prints each seed's knobs and progress;
// RAFT_SWARM_LOG=1 prints the core's log lines; RAFT_SWARM_SAFETY_ONLY=1
// skips the liveness phase.
// Every failure names its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/base/check.h"
#include "core/base/prng.h"
#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

using sim::RaftNetwork;
using sim::RaftNodeOptions;

struct Knobs {
  size_t nodes = 3;  // initial voters 1..nodes
  size_t pool = 3;   // nodes 1..pool exist; the others start empty, outside the config
  Ratio conf_change{0, 1};
  RaftNodeOptions options;
  Ratio drop{1, 10};
  Ratio defer{1, 5};
  Ratio duplicate{1, 50};
  Ratio crash{1, 200};
  Ratio restart{1, 10};
  Ratio compact{1, 30};
  Ratio tick{1, 2};
  Ratio propose{1, 3};
  Ratio transfer{1, 100};
  Ratio read{1, 10};
};

Knobs DrawKnobs(Prng& prng) {
  Knobs k;
  k.nodes = prng.Chance(Ratio{1, 2}) ? 3 : 5;
  k.options.pre_vote = prng.Chance(Ratio{1, 2});
  k.options.check_quorum = prng.Chance(Ratio{1, 2});
  k.options.max_size_per_msg = prng.Chance(Ratio{1, 2}) ? 1 : 1 << 20;
  const bool small_window = prng.Chance(Ratio{1, 2});
  const uint64_t window = 1 + prng.Index(3);
  // A window that fills up exercises the empty-append recovery (see
  // RaftPaper.Sec5_3_LeaderRetriesWhenInflightWindowFull).
  if (small_window) k.options.max_inflight_msgs = window;
  k.drop = Ratio{prng.Index(4), 20};
  k.defer = Ratio{prng.Index(6), 20};
  k.crash = Ratio{prng.Index(3), 200};
  k.pool = prng.Chance(Ratio{1, 2}) ? 5 : k.nodes;
  // Half the seeds change membership (RAFT_SWARM_NO_CONF_CHANGES=1 turns
  // that off, to tell a membership problem from another).
  const bool conf_changes = prng.Chance(Ratio{1, 2});
  if (conf_changes && std::getenv("RAFT_SWARM_NO_CONF_CHANGES") == nullptr) {
    k.conf_change = Ratio{1, 20};
  }
  return k;
}

std::string Describe(const Knobs& k) {
  return "nodes=" + std::to_string(k.nodes) + " prevote=" + std::to_string(k.options.pre_vote) +
         " checkquorum=" + std::to_string(k.options.check_quorum) +
         " max_size_per_msg=" + std::to_string(k.options.max_size_per_msg) +
         " max_inflight=" + std::to_string(k.options.max_inflight_msgs) +
         " drop=" + std::to_string(k.drop.num) + "/20 defer=" + std::to_string(k.defer.num) +
         "/20 crash=" + std::to_string(k.crash.num) + "/200 pool=" + std::to_string(k.pool) +
         " confchange=" + std::to_string(k.conf_change.num) + "/" +
         std::to_string(k.conf_change.den);
}

// The core's narrative on stderr, for RAFT_SWARM_LOG=1.
class StderrLogger : public Logger {
 public:
  void Log(LogLevel, const std::string& line) override { std::fprintf(stderr, "%s\n", line.c_str()); }
  bool Enabled(LogLevel level) const override { return level >= LogLevel::kInfo; }
};

Logger* SwarmLogger() {
  static StderrLogger logger;
  return std::getenv("RAFT_SWARM_LOG") != nullptr ? &logger : nullptr;
}

class Swarm {
 public:
  explicit Swarm(uint64_t seed) : prng_(seed), net_(seed, SwarmLogger()) {
    knobs_ = DrawKnobs(prng_);
    for (NodeId id : IdsBySize(knobs_.pool)) {
      const bool member = id <= knobs_.nodes;
      net_.AddNode(id, knobs_.options,
                   member ? ConfSnapshot(1, 1, IdsBySize(knobs_.nodes)) : Snapshot{});
    }
  }

  const Knobs& knobs() const { return knobs_; }
  RaftNetwork& net() { return net_; }
  int proposals() const { return proposals_; }

  // One step of the safety phase: local events on every node, then one
  // round of message handling with faults.
  void FaultyStep() {
    for (NodeId id : net_.Ids()) {
      RaftNetwork::Node& n = net_.node(id);
      if (!n.raw) {
        if (prng_.Chance(knobs_.restart)) net_.Restart(id);
        continue;
      }
      if (prng_.Chance(knobs_.tick)) n.raw->Tick();
      if (n.raw->raft().state() == StateRole::kLeader && prng_.Chance(knobs_.propose)) {
        n.raw->Propose("v" + std::to_string(proposals_++));
      }
      if (n.raw->raft().state() == StateRole::kLeader && prng_.Chance(knobs_.conf_change)) {
        ProposeConfChange(*n.raw);
      }
      if (prng_.Chance(knobs_.transfer)) {
        const NodeId to = 1 + prng_.Index(knobs_.pool);
        n.raw->TransferLeader(to);
      }
      if (prng_.Chance(knobs_.read)) Read(id);
      if (prng_.Chance(knobs_.compact)) Compact(id);
      while (net_.ProcessReady(id)) {
      }
      if (prng_.Chance(knobs_.crash)) net_.Crash(id);
    }
    std::vector<Message> msgs = net_.Take([](const Message&) { return true; });
    for (Message& m : deferred_) msgs.push_back(std::move(m));
    deferred_.clear();
    for (Message& m : msgs) {
      if (prng_.Chance(knobs_.drop)) {
        if (m.type == MessageType::kSnap) ReportSnapshotFailed(m);
        continue;
      }
      if (prng_.Chance(knobs_.defer)) {
        deferred_.push_back(std::move(m));  // delivered later, out of order
        continue;
      }
      if (m.type == MessageType::kSnap && !net_.node(m.to).raw) {
        // RaftNetwork::Deliver loses a message to a down node without
        // telling the sender, which would leave the leader waiting for this
        // snapshot forever; a transport reports the failure.
        ReportSnapshotFailed(m);
        continue;
      }
      if (prng_.Chance(knobs_.duplicate)) net_.Deliver(m);
      net_.Deliver(m);
      // One delivery per Ready: RaftNetwork::CheckDurable insists that a
      // vote or append response leaves with a hard state of the same term,
      // which two steps before one Ready can legitimately break.
      while (net_.ProcessReady(m.to)) {
      }
    }
  }

  // The liveness phase: everything up, no faults, time passes.
  void HealedStep() {
    for (NodeId id : net_.Ids()) {
      if (!net_.node(id).raw) net_.Restart(id);
    }
    for (Message& m : deferred_) net_.Enqueue(std::move(m));
    deferred_.clear();
    for (NodeId id : net_.Ids()) {
      // New members catch up from a snapshot that includes them.
      if (prng_.Chance(Ratio{1, 5})) Compact(id);
      net_.node(id).raw->Tick();
      while (net_.ProcessReady(id)) {
      }
    }
    // Like RaftNetwork::Stabilize, but one delivery per Ready (see FaultyStep).
    for (int round = 0; round < 1000 && !net_.in_flight().empty(); ++round) {
      for (Message& m : net_.Take([](const Message&) { return true; })) {
        net_.Deliver(m);
        while (net_.ProcessReady(m.to)) {
        }
      }
    }
  }

  // Empty if there is a leader and every member of its configuration has
  // the leader's log, commit index and applied index; else what differs.
  std::string Diverged() const {
    const NodeId leader = Leader();
    if (leader == kNone) return "no leader";
    const Raft& lr = net_.node(leader).raw->raft();
    const uint64_t commit = lr.raft_log().committed();
    for (NodeId id : net_.Ids()) {
      if (lr.tracker().progress.count(id) == 0) continue;  // not a member (any more)
      const RaftNetwork::Node& n = net_.node(id);
      const RaftLog& log = n.raw->raft().raft_log();
      if (log.committed() != commit || log.LastIndex() != lr.raft_log().LastIndex() ||
          n.applied_index != commit) {
        return "node " + std::to_string(id) + " differs from leader " + std::to_string(leader);
      }
    }
    return "";
  }

  // One line per node: role, term, log, configuration.
  std::string Dump() const {
    std::string out;
    for (NodeId id : net_.Ids()) {
      const RaftNetwork::Node& n = net_.node(id);
      const Raft& r = n.raw->raft();
      out += "node " + std::to_string(id) + ": " + StateRoleName(r.state()) + " term " +
             std::to_string(r.term()) + " vote " + std::to_string(r.vote()) + " lead " +
             std::to_string(r.lead()) + " " + r.raft_log().String() + " last " +
             std::to_string(r.raft_log().LastIndex()) + " config " + r.tracker().config.String() +
             " pending_conf " + std::to_string(r.pending_conf_index()) + " elapsed " +
             std::to_string(r.election_elapsed()) + "\n";
      for (const auto& [pid, pr] : r.tracker().progress) {
        if (r.state() == StateRole::kLeader)
          out += "    " + std::to_string(pid) + ": " + pr.String() + "\n";
      }
    }
    return out;
  }

  // The node leading the highest term, if any.
  NodeId Leader() const {
    NodeId leader = kNone;
    uint64_t term = 0;
    for (NodeId id : net_.Ids()) {
      const RaftNetwork::Node& n = net_.node(id);
      if (!n.raw || n.raw->raft().state() != StateRole::kLeader) continue;
      if (n.raw->raft().term() >= term) {
        term = n.raw->raft().term();
        leader = id;
      }
    }
    return leader;
  }

 private:
  void Compact(NodeId id) {
    RaftNetwork::Node& n = net_.node(id);
    const uint64_t index = n.applied_index;
    if (index < n.storage->FirstIndex()) return;
    if (!n.storage->CreateSnapshot(index, n.conf_state, "")) return;
    CHECK(n.storage->Compact(index).has_value());
  }

  // One change to `ids` that keeps at least one voter; updates the sets.
  void OneChange(std::set<NodeId>* voters, std::set<NodeId>* learners,
                 std::vector<ConfChangeSingle>* out) {
    const NodeId id = 1 + prng_.Index(knobs_.pool);
    const bool voter = voters->count(id) != 0;
    const uint64_t op = prng_.Index(2);
    if (voter) {
      if (voters->size() == 1) return;
      voters->erase(id);
      if (op == 0) {
        out->push_back({ConfChangeType::kRemoveNode, id});
      } else {
        learners->insert(id);
        out->push_back({ConfChangeType::kAddLearnerNode, id});
      }
    } else if (op == 0) {
      learners->erase(id);
      voters->insert(id);
      out->push_back({ConfChangeType::kAddNode, id});
    } else {
      learners->insert(id);
      out->push_back({ConfChangeType::kAddLearnerNode, id});
    }
  }

  // A valid configuration change for the leader's current configuration:
  // leave a joint config, or one change (simple), or two (joint).
  void ProposeConfChange(RawNode& raw) {
    const TrackerConfig& c = raw.raft().tracker().config;
    ConfChangeV2 cc;
    if (!c.voters.outgoing.empty()) {
      if (!c.auto_leave) raw.ProposeConfChange(cc);  // leave explicitly
      return;
    }
    std::set<NodeId> voters = c.voters.incoming.ids();
    std::set<NodeId> learners = c.learners;
    const bool joint = prng_.Chance(Ratio{1, 3});
    OneChange(&voters, &learners, &cc.changes);
    if (joint) {
      OneChange(&voters, &learners, &cc.changes);
      cc.transition = static_cast<ConfChangeTransition>(prng_.Index(3));
      if (cc.changes.size() == 2 && cc.changes[0].node_id == cc.changes[1].node_id) {
        cc.changes.pop_back();  // keep it simple to reason about
      }
    }
    if (cc.changes.empty()) return;
    if (!joint && cc.changes.size() == 1) cc.transition = ConfChangeTransition::kAuto;
    raw.ProposeConfChange(cc);
  }

  // A linearizable read at node `id`: it must not return an index below any
  // commit index known anywhere when it was issued (writes acknowledged
  // before the read began are at or below it).
  void Read(NodeId id) {
    uint64_t required = 0;
    for (NodeId other : net_.Ids()) {
      const RaftNetwork::Node& o = net_.node(other);
      if (o.raw) required = std::max(required, o.raw->raft().raft_log().committed());
    }
    const std::string ctx = "r" + std::to_string(reads_.size());
    reads_[ctx] = required;
    net_.node(id).raw->ReadIndex(ctx);
  }

 public:
  // Checks and consumes the read states delivered so far; returns violations.
  std::vector<std::string> CheckReads() {
    std::vector<std::string> out;
    for (NodeId id : net_.Ids()) {
      RaftNetwork::Node& n = net_.node(id);
      for (const ReadState& rs : n.read_states) {
        auto it = reads_.find(rs.request_ctx);
        if (it == reads_.end()) {
          out.push_back("node " + std::to_string(id) + ": unknown read " + rs.request_ctx);
        } else if (rs.index < it->second) {
          out.push_back("node " + std::to_string(id) + ": read " + rs.request_ctx + " at index " +
                        std::to_string(rs.index) + " below the commit index " +
                        std::to_string(it->second) + " known when it was issued");
        }
        ++reads_served_;
      }
      n.read_states.clear();
    }
    return out;
  }
  int reads_served() const { return reads_served_; }

 private:
  void ReportSnapshotFailed(const Message& m) {
    RaftNetwork::Node& sender = net_.node(m.from);
    if (sender.raw) sender.raw->ReportSnapshot(m.to, /*failed=*/true);
  }

  Prng prng_;
  RaftNetwork net_;
  Knobs knobs_;
  std::vector<Message> deferred_;
  int proposals_ = 0;
  std::map<std::string, uint64_t> reads_;  // context -> minimum index allowed
  int reads_served_ = 0;
};

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::strtoull(v, nullptr, 10);
}

// BUG workaround: Invariants::CheckLeaderCompleteness also holds a deposed
// leader (cut off, not yet aware of a newer term) to entries committed in
// later terms (see Invariants.StaleLeaderNeedNotHaveLaterCommittedEntries).
// Drops those alarms where the committed entry's term exceeds the leader's,
// which are certainly false; keeps every other violation.
std::vector<std::string> WithoutStaleLeaderAlarms(std::vector<std::string> found) {
  std::vector<std::string> kept;
  for (std::string& v : found) {
    unsigned long long leader = 0;
    unsigned long long leader_term = 0;
    unsigned long long entry_term = 0;
    unsigned long long entry_index = 0;
    const int n = std::sscanf(v.c_str(),
                              "leader completeness: leader %llu (term %llu) lacks committed "
                              "entry %llu/%llu",
                              &leader, &leader_term, &entry_term, &entry_index);
    if (n == 4 && entry_term > leader_term) continue;
    kept.push_back(std::move(v));
  }
  return kept;
}

void RunSeed(uint64_t seed) {
  Swarm swarm(seed);
  SCOPED_TRACE("seed=" + std::to_string(seed) + " " + Describe(swarm.knobs()) +
               " (reproduce: RAFT_SWARM_SEED=" + std::to_string(seed) + ")");
  int violations = 0;
  for (int step = 0; step < 400 && violations == 0; ++step) {
    swarm.FaultyStep();
    std::vector<std::string> found = WithoutStaleLeaderAlarms(swarm.net().CheckInvariants());
    for (std::string& v : swarm.CheckReads()) found.push_back(std::move(v));
    for (const std::string& v : found) {
      ADD_FAILURE() << "safety step " << step << ": " << v;
      ++violations;
    }
  }
  ASSERT_EQ(violations, 0);
  uint64_t safety_commit = 0;
  for (NodeId id : swarm.net().Ids()) {
    const RaftNetwork::Node& n = swarm.net().node(id);
    if (n.raw) safety_commit = std::max(safety_commit, n.raw->raft().raft_log().committed());
  }
  if (EnvU64("RAFT_SWARM_VERBOSE", 0) != 0) {
    std::printf("seed %llu: %s: commit %llu after the safety phase, %d proposals, %d reads\n",
                static_cast<unsigned long long>(seed), Describe(swarm.knobs()).c_str(),
                static_cast<unsigned long long>(safety_commit), swarm.proposals(),
                swarm.reads_served());
  }
  if (EnvU64("RAFT_SWARM_SAFETY_ONLY", 0) != 0) return;
  // Liveness: a leader emerges, commits a new entry, and everyone converges.
  bool committed = false;
  for (int step = 0; step < 300 && !committed; ++step) {
    swarm.HealedStep();
    for (const std::string& v : swarm.net().CheckInvariants()) {
      ADD_FAILURE() << "liveness step " << step << ": " << v;
    }
    const NodeId leader = swarm.Leader();
    if (leader == kNone) continue;
    RawNode& raw = *swarm.net().node(leader).raw;
    const uint64_t before = raw.raft().raft_log().LastIndex();
    if (raw.Propose("final") != StepResult::kOk) continue;
    for (int k = 0; k < 20 && !committed; ++k) {
      swarm.HealedStep();
      committed =
          raw.raft().state() == StateRole::kLeader && raw.raft().raft_log().committed() > before;
    }
  }
  ASSERT_TRUE(committed) << "no leader committed a new entry after healing\n" << swarm.Dump();
  // Then every member converges on the leader's log (elections may still
  // come and go without pre-vote; wait for a quiet moment).
  std::string why;
  for (int k = 0; k < 300; ++k) {
    swarm.HealedStep();
    why = swarm.Diverged();
    if (why.empty()) break;
  }
  EXPECT_EQ(why, "") << swarm.Dump();
}

// Two elections reach a voter before it handles a Ready: it grants a vote in
// term 2, then another in term 3. Both responses leave with the term-3 hard
// state, which is safe (the durable term 3 rules out any other term-2 vote),
// but RaftNetwork::CheckDurable requires the hard state's term to equal the
// response's and aborts Stabilize.
TEST(RaftNetworkHarness, StabilizeWithTwoVotesInOneReady) {
  RaftNetwork net(1, nullptr);
  for (NodeId id : IdsBySize(3)) net.AddNode(id, RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2, 3}));
  net.node(1).raw->Campaign();  // term 2
  net.node(2).raw->Campaign();  // term 2
  net.node(2).raw->Campaign();  // term 3
  while (net.ProcessReady(1)) {
  }
  while (net.ProcessReady(2)) {
  }
  net.DeliverTo(3);  // grants 1 in term 2, rejects 2 in term 2, grants 2 in term 3
  EXPECT_TRUE(net.Stabilize());
  EXPECT_TRUE(net.CheckInvariants().empty());
  EXPECT_EQ(net.node(2).raw->raft().state(), StateRole::kLeader);
}

// A MsgSnap that reaches a crashed node is lost without a snapshot report,
// unlike a dropped one (Drop reports it failed). The leader then waits in
// StateSnapshot forever and the node never catches up.
TEST(RaftNetworkHarness, SnapshotToDownNodeIsReported) {
  RaftNetwork net(3, nullptr);
  for (NodeId id : IdsBySize(3)) net.AddNode(id, RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2, 3}));
  net.node(1).raw->Campaign();
  ASSERT_TRUE(net.Stabilize());
  net.Crash(3);
  ASSERT_EQ(net.node(1).raw->Propose("x"), StepResult::kOk);
  ASSERT_TRUE(net.Stabilize());
  RaftNetwork::Node& leader = net.node(1);
  ASSERT_TRUE(
      leader.storage->CreateSnapshot(leader.applied_index, leader.conf_state, "").has_value());
  ASSERT_TRUE(leader.storage->Compact(leader.applied_index).has_value());
  leader.raw->ReportUnreachable(3);  // probe 3 from its match: below the compaction
  ASSERT_EQ(leader.raw->Propose("y"), StepResult::kOk);
  ASSERT_TRUE(net.Stabilize());  // the MsgSnap to 3 is lost: 3 is down
  net.Restart(3);
  for (int i = 0; i < 20; ++i) {
    leader.raw->Tick();
    ASSERT_TRUE(net.Stabilize());
  }
  EXPECT_EQ(net.node(3).raw->raft().raft_log().committed(),
            leader.raw->raft().raft_log().committed());
}

// Raft §6: a leader that is not part of the new configuration "steps down
// ... once it has committed the C_new log entry". Here configurations take
// effect when applied, so the remaining voters act on C_new only once they
// learn that it committed. If the append carrying that commit index is lost
// and the removed leader has a longer log, the remaining voter campaigns
// under the old configuration forever: it needs the removed node's vote,
// which the removed node denies (its log is more up to date) and the removed
// node never campaigns. Found by RaftSwarm with RAFT_SWARM_CONF_CHANGES=1.
TEST(RaftMembership, RemovedLeaderStepDownKeepsClusterLive) {
  RaftNetwork net(5, nullptr);
  for (NodeId id : IdsBySize(2)) net.AddNode(id, RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2}));
  net.node(1).raw->Campaign();
  ASSERT_TRUE(net.Stabilize());
  ASSERT_EQ(net.node(1).raw->raft().state(), StateRole::kLeader);
  ConfChangeV2 remove_leader;
  remove_leader.changes = {{ConfChangeType::kRemoveNode, 1}};
  ASSERT_EQ(net.node(1).raw->ProposeConfChange(remove_leader), StepResult::kOk);  // index 3
  while (net.ProcessReady(1)) {
  }
  net.DeliverTo(2);  // node 2 stores index 3
  while (net.ProcessReady(2)) {
  }
  ASSERT_EQ(net.node(1).raw->Propose("x"), StepResult::kOk);  // index 4, leader only
  while (net.ProcessReady(1)) {
  }
  net.Drop([](const Message& m) { return m.to == 2; });
  net.DeliverTo(1);              // node 2's ack of 3: the removal commits
  while (net.ProcessReady(1)) {  // applies it (and steps down)
  }
  net.Drop([](const Message& m) { return m.to == 2; });  // the commit index is lost
  for (int i = 0; i < 100; ++i) {
    net.node(1).raw->Tick();
    net.node(2).raw->Tick();
    ASSERT_TRUE(net.Stabilize());
    ASSERT_TRUE(net.CheckInvariants().empty());
  }
  // Node 2 learns that the removal committed, runs in the new configuration,
  // and the cluster commits new proposals again.
  const Raft& r2 = net.node(2).raw->raft();
  EXPECT_GE(r2.raft_log().committed(), 3u);
  EXPECT_EQ(net.node(2).conf_state.voters, (std::vector<NodeId>{2}));
  const uint64_t before = r2.raft_log().LastIndex();
  for (int i = 0; i < 50 && r2.raft_log().committed() <= before; ++i) {
    net.node(2).raw->Propose("y");  // retried: a proposal may be dropped
    net.node(1).raw->Tick();
    net.node(2).raw->Tick();
    ASSERT_TRUE(net.Stabilize());
  }
  EXPECT_GT(r2.raft_log().committed(), before);
}

// scenarios/remove-from-two-voters.yaml in miniature, for a removal and for
// a demotion (RaftSwarm seed 1204 before the fix): leader 1 of voters {1, 2}
// commits its own removal (or demotion) with node 2's acknowledgement,
// appends one more entry, and dies before node 2 learns of the commit. Node
// 2 still counts {1, 2} and needs node 1's vote, which node 1 denies (its
// log is longer); node 1 is no voter in its own configuration. Only node 1
// can be elected, so it must campaign (Raft::NonVoterMayCampaign).
void RemovedLeaderDiesBeforeTheCommitSpreads(ConfChangeType change) {
  RaftNetwork net(7, nullptr);
  for (NodeId id : IdsBySize(2)) net.AddNode(id, RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2}));
  net.node(1).raw->Campaign();
  ASSERT_TRUE(net.Stabilize());
  ASSERT_EQ(net.node(1).raw->raft().state(), StateRole::kLeader);
  ConfChangeV2 cc;
  cc.changes = {{change, 1}};
  ASSERT_EQ(net.node(1).raw->ProposeConfChange(cc), StepResult::kOk);  // index 3
  while (net.ProcessReady(1)) {
  }
  net.DeliverTo(2);  // node 2 stores index 3
  while (net.ProcessReady(2)) {
  }
  ASSERT_EQ(net.node(1).raw->Propose("x"), StepResult::kOk);  // index 4, durable on node 1 only
  while (net.ProcessReady(1)) {
  }
  net.Drop([](const Message& m) { return m.to == 2; });
  net.DeliverTo(1);  // node 2's acknowledgement of 3: the change commits
  while (net.ProcessReady(1)) {  // node 1 applies it
  }
  ASSERT_GE(net.node(1).raw->raft().raft_log().committed(), 3u);
  ASSERT_EQ(net.node(1).conf_state.voters, (std::vector<NodeId>{2}));
  net.Crash(1);  // before anything it sent reaches node 2
  net.Drop([](const Message&) { return true; });
  net.Restart(1);
  ASSERT_LT(net.node(2).raw->raft().raft_log().committed(), 3u);
  // Time passes on a healthy network: node 2 must end up leading {2} and
  // committing again.
  const Raft& r2 = net.node(2).raw->raft();
  for (int i = 0; i < 200 && r2.state() != StateRole::kLeader; ++i) {
    net.node(1).raw->Tick();
    net.node(2).raw->Tick();
    ASSERT_TRUE(net.Stabilize());
    ASSERT_EQ(net.CheckInvariants(), std::vector<std::string>{});
  }
  ASSERT_EQ(r2.state(), StateRole::kLeader);
  EXPECT_EQ(net.node(2).conf_state.voters, (std::vector<NodeId>{2}));
  const uint64_t before = r2.raft_log().committed();
  ASSERT_EQ(net.node(2).raw->Propose("y"), StepResult::kOk);
  ASSERT_TRUE(net.Stabilize());
  EXPECT_GT(r2.raft_log().committed(), before);
  // Node 1 is no member of {2} any more: the new leader leaves it be.
  EXPECT_EQ(r2.tracker().progress.count(1), change == ConfChangeType::kRemoveNode ? 0u : 1u);
}

TEST(RaftMembership, RemovedLeaderThatDiedBeforeTheCommitSpreadCampaigns) {
  RemovedLeaderDiesBeforeTheCommitSpreads(ConfChangeType::kRemoveNode);
}

TEST(RaftMembership, DemotedLeaderThatDiedBeforeTheCommitSpreadCampaigns) {
  RemovedLeaderDiesBeforeTheCommitSpreads(ConfChangeType::kAddLearnerNode);
}

// Seeds that once failed, each for a reason fixed since: 1204, 1684, 1800,
// 3777 (a non-voter with the longest log never campaigned), 3233 and 35 (a
// stale leader was never told the higher term), 6529 (a candidate chased
// the term of the one voter it needed).
TEST(RaftSwarm, SeedsThatOnceFailed) {
  for (uint64_t seed : {35, 1204, 1684, 1800, 3233, 3777, 6529}) RunSeed(seed);
}

TEST(RaftSwarm, SafetyUnderFaultsThenLiveness) {
  const uint64_t only = EnvU64("RAFT_SWARM_SEED", 0);
  if (only != 0) {
    RunSeed(only);
    return;
  }
  const uint64_t seeds = EnvU64("RAFT_SWARM_SEEDS", 200);
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    RunSeed(seed);
    if (HasFailure()) break;  // one seed's report at a time
  }
}

}  // namespace
}  // namespace raftlab::raft

namespace raftlab::raft {
namespace {

// Regression (found by RaftSwarm seed 27 once removed leaders hand off): a
// leader that removed itself sees a configuration with one voter — another
// node — and took the single-voter shortcut, answering a read at its own
// commit index after the new leader had committed more (a stale read).
TEST(RaftMembership, RemovedLeaderDoesNotAnswerReadsAlone) {
  RaftNetwork net(1, nullptr);
  for (NodeId id : {1, 2}) net.AddNode(id, RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2}));
  net.node(1).raw->Campaign();
  ASSERT_TRUE(net.Stabilize());
  ConfChangeV2 remove_leader;
  remove_leader.changes = {{ConfChangeType::kRemoveNode, 1}};
  ASSERT_EQ(net.node(1).raw->ProposeConfChange(remove_leader), StepResult::kOk);
  // Node 1 hears nothing of node 2's newer term, which would depose it
  // (Raft §5.1).
  const uint64_t old_term = net.node(1).raw->raft().term();
  const auto cut = [old_term](const Message& m) {
    return m.from == 2 && m.to == 1 && m.term > old_term;
  };
  // Node 1 applies its removal and hands over; node 2 takes over once it
  // has applied the removal too (it refuses to campaign before), so the
  // hand-off may need a retry after an election timeout.
  for (int i = 0; i < 100 && net.node(2).raw->raft().state() != StateRole::kLeader; ++i) {
    net.node(1).raw->Tick();
    ASSERT_TRUE(StabilizeNetwork(net, cut));
  }
  ASSERT_EQ(net.node(2).raw->raft().state(), StateRole::kLeader);
  ASSERT_EQ(net.node(2).raw->Propose("newer"), StepResult::kOk);
  ASSERT_TRUE(StabilizeNetwork(net, cut));
  const uint64_t newest = net.node(2).raw->raft().raft_log().committed();
  ASSERT_GT(newest, net.node(1).raw->raft().raft_log().committed());
  // Node 1 still believes it leads its old term. A read there must not be
  // answered below what node 2 already committed.
  ASSERT_EQ(net.node(1).raw->raft().state(), StateRole::kLeader);
  net.node(1).raw->ReadIndex("stale?");
  ASSERT_TRUE(StabilizeNetwork(net, cut));
  for (const ReadState& rs : net.node(1).read_states) {
    EXPECT_GE(rs.index, newest) << "stale read at the removed leader";
  }
}

}  // namespace
}  // namespace raftlab::raft
