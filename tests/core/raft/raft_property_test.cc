// Safety under random interleavings (RapidCheck): 3- and 5-node in-memory
// networks where any node may tick, handle its Ready, crash or restart, and
// any queued message may be delivered (in any order: reordering), dropped or
// duplicated, while proposals and configuration changes arrive. After every
// single step the Raft invariants (core/raft/invariants.h) must hold:
// election safety, log matching, leader completeness, committed entries
// never change, state machine safety, monotonic term/vote/commit/applied.
// The host enforces the Ready contract with CHECKs (sim/raft/raft_network.cc).
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "core/raft/describe.h"
#include "sim/raft/raft_network.h"

namespace raftlab::raft {
namespace {

enum OpKind : int {
  kTick, kReady, kDeliver, kDrop, kDuplicate, kPropose, kConfChange, kCampaign, kCrash, kRestart,
  kFlush,  // every node handles its Ready, then every queued message is delivered in order
};

struct Op {
  OpKind kind;
  uint32_t a;  // chooses a node or a queued message
  uint32_t b;  // chooses a change
};

void showValue(const Op& op, std::ostream& os) {
  static const char* kNames[] = {"tick", "ready", "deliver", "drop", "duplicate",
                                 "propose", "confchange", "campaign", "crash", "restart",
                                 "flush"};
  os << kNames[op.kind] << "(" << op.a << "," << op.b << ")";
}

rc::Gen<Op> GenOp() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::weightedElement<int>({{30, kTick},
                                                     {20, kReady},
                                                     {30, kDeliver},
                                                     {3, kDrop},
                                                     {2, kDuplicate},
                                                     {8, kPropose},
                                                     {2, kConfChange},
                                                     {2, kCampaign},
                                                     {1, kCrash},
                                                     {2, kRestart},
                                                     {6, kFlush}}),
                     rc::gen::inRange<uint32_t>(0, 1 << 20),
                     rc::gen::inRange<uint32_t>(0, 1 << 20)),
      [](const std::tuple<int, uint32_t, uint32_t>& t) {
        return Op{static_cast<OpKind>(std::get<0>(t)), std::get<1>(t), std::get<2>(t)};
      });
}

class Harness {
 public:
  // `voters` nodes start in the configuration; one spare node (with an
  // empty log) can be added by configuration changes.
  Harness(int voters, bool pre_vote, bool check_quorum, uint64_t max_size_per_msg,
          uint64_t seed)
      : net_(seed, nullptr), spare_(static_cast<NodeId>(voters + 1)) {
    Snapshot initial;
    initial.metadata.index = 1;
    initial.metadata.term = 1;
    for (int i = 1; i <= voters; ++i) {
      initial.metadata.conf_state.voters.push_back(static_cast<NodeId>(i));
    }
    sim::RaftNodeOptions opts;
    opts.election_tick = 4;  // short timeouts: many elections per run
    opts.heartbeat_tick = 1;
    opts.pre_vote = pre_vote;
    opts.check_quorum = check_quorum;
    opts.max_inflight_msgs = 3;
    // Tiny messages carry one entry each, so a follower can acknowledge an
    // older-term entry without the new leader's own entry after it — the
    // acknowledgement that makes Figure 8 (§5.4.2) reachable.
    opts.max_size_per_msg = max_size_per_msg;
    for (int i = 1; i <= voters; ++i) net_.AddNode(static_cast<NodeId>(i), opts, initial);
    net_.AddNode(spare_, opts, Snapshot{});
  }

  void Apply(const Op& op) {
    const std::vector<NodeId> ids = net_.Ids();
    const NodeId id = ids[op.a % ids.size()];
    sim::RaftNetwork::Node& n = net_.node(id);
    const std::vector<Message>& queue = net_.in_flight();
    switch (op.kind) {
      case kTick: if (n.raw) n.raw->Tick(); break;
      case kReady: net_.ProcessReady(id); break;
      case kDeliver:
      case kDrop:
      case kDuplicate: {
        if (queue.empty()) break;
        const size_t k = op.a % queue.size();
        if (op.kind == kDuplicate) {
          net_.Enqueue(queue[k]);
          break;
        }
        size_t seen = 0;
        std::vector<Message> picked =
            net_.Take([&seen, k](const Message&) { return seen++ == k; });
        if (op.kind == kDeliver) net_.Deliver(picked.at(0));
        break;
      }
      case kPropose:
        if (n.raw) n.raw->Propose("v" + std::to_string(next_value_++));
        break;
      case kConfChange: if (n.raw) ProposeConfChange(n, op.b); break;
      case kCampaign: if (n.raw) n.raw->Campaign(); break;
      case kCrash: if (n.raw) net_.Crash(id); break;
      case kFlush:
        for (NodeId x : ids) net_.ProcessReady(x);
        for (Message& m : net_.Take([](const Message&) { return true; })) net_.Deliver(m);
        break;
      case kRestart:
        if (!n.raw) {
          net_.Restart(id);
          ++restarts_;
        }
        break;
    }
  }

  std::vector<std::string> Check() { return net_.CheckInvariants(); }
  int restarts() const { return restarts_; }
  // Configuration changes committed anywhere in the cluster.
  int conf_changes_committed() {
    int n = 0;
    for (const NodeView& v : net_.Views()) {
      for (const Entry& e : v.log) {
        if (e.index <= v.commit && e.type != EntryType::kNormal) ++n;
      }
    }
    return n;
  }
  sim::RaftNetwork& net() { return net_; }

 private:
  void ProposeConfChange(sim::RaftNetwork::Node& n, uint32_t choice) {
    const std::vector<NodeId> ids = net_.Ids();
    const NodeId target = ids[choice % ids.size()];
    ConfChangeV2 cc;
    switch ((choice / 8) % 4) {
      case 0: cc.changes = {{ConfChangeType::kAddNode, target}}; break;
      case 1: cc.changes = {{ConfChangeType::kRemoveNode, target}}; break;
      case 2: cc.changes = {{ConfChangeType::kAddLearnerNode, target}}; break;
      case 3:  // a joint change: swap the spare in for `target`
        cc.changes = {{ConfChangeType::kRemoveNode, target}, {ConfChangeType::kAddNode, spare_}};
        if (target == spare_) cc.changes.clear();  // leave joint, if joint
        break;
    }
    n.raw->ProposeConfChange(cc);
  }

  sim::RaftNetwork net_;
  NodeId spare_;
  uint64_t next_value_ = 1;
  int restarts_ = 0;
};

void RunRandomInterleaving(int voters) {
  const bool pre_vote = *rc::gen::arbitrary<bool>();
  const bool check_quorum = *rc::gen::arbitrary<bool>();
  const uint64_t max_size_per_msg = *rc::gen::element<uint64_t>(1, 64, 1 << 20);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  // Long runs find more; the lower bound of 1 lets RapidCheck shrink a
  // failure down to the few steps that matter.
  const size_t length = *rc::gen::inRange<size_t>(1, 1000);
  const std::vector<Op> ops = *rc::gen::container<std::vector<Op>>(length, GenOp());
  Harness h(voters, pre_vote, check_quorum, max_size_per_msg, seed);
  for (size_t i = 0; i < ops.size(); ++i) {
    h.Apply(ops[i]);
    const std::vector<std::string> violations = h.Check();
    if (!violations.empty()) {
      RC_FAIL("after step " + std::to_string(i) + ": " + violations.front());
    }
  }
  // Let the survivors finish what they were doing, and check once more.
  h.net().Stabilize(nullptr, 200);
  const std::vector<std::string> violations = h.Check();
  if (!violations.empty()) RC_FAIL("after the final stabilize: " + violations.front());
  // Coverage: the runs must reach the states the invariants are about (a
  // property that never elects or commits would pass vacuously).
  uint64_t max_term = 0;
  uint64_t max_commit = 0;
  for (const NodeView& v : h.net().Views()) {
    max_term = std::max(max_term, v.durable.term);
    max_commit = std::max(max_commit, v.commit);
  }
  RC_CLASSIFY(max_term >= 3, "two or more elections");
  RC_CLASSIFY(max_commit >= 5, "five or more entries committed");
  RC_CLASSIFY(h.restarts() > 0, "a node restarted");
  RC_CLASSIFY(h.conf_changes_committed() > 0, "a configuration change committed");
}

RC_GTEST_PROP(RaftProperties, RandomInterleavingsKeepSafetyThreeNodes, ()) {
  RunRandomInterleaving(3);
}

RC_GTEST_PROP(RaftProperties, RandomInterleavingsKeepSafetyFiveNodes, ()) {
  RunRandomInterleaving(5);
}

}  // namespace
}  // namespace raftlab::raft
