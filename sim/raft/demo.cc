#include "sim/raft/demo.h"

#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/raft/describe.h"
#include "sim/raft/raft_network.h"

namespace raftlab::sim {
namespace {

using raft::NodeId;

class PrintLogger : public raft::Logger {
 public:
  explicit PrintLogger(std::ostream& out) : out_(out) {}
  void Log(raft::LogLevel, const std::string& line) override { out_ << "        | " << line << "\n"; }
  bool Enabled(raft::LogLevel level) const override { return level >= raft::LogLevel::kInfo; }

 private:
  std::ostream& out_;
};

// Drives the network on ticks: each tick, every live node ticks once, then
// Readies and messages are handled until quiet. Prints role changes and
// commits as they happen.
class DemoRun {
 public:
  DemoRun(const DemoOptions& options, std::ostream& out)
      : out_(out), logger_(out), net_(options.seed, options.verbose ? &logger_ : nullptr) {
    raft::Snapshot initial;
    initial.metadata.index = 1;
    initial.metadata.term = 1;
    initial.metadata.conf_state.voters = {1, 2, 3};
    RaftNodeOptions opts;
    opts.pre_vote = true;
    opts.check_quorum = true;
    for (NodeId id = 1; id <= 3; ++id) net_.AddNode(id, opts, initial);
  }

  // Runs until `done` holds or `max_ticks` pass. Returns whether it held.
  template <class Pred>
  bool RunUntil(Pred done, int max_ticks) {
    for (int i = 0; i < max_ticks; ++i) {
      if (done()) return true;
      ++tick_;
      for (NodeId id : net_.Ids()) {
        if (net_.node(id).raw) net_.node(id).raw->Tick();
      }
      Settle();
    }
    return done();
  }

  void Settle() {
    for (int round = 0; round < 100; ++round) {
      bool busy = false;
      for (NodeId id : net_.Ids()) {
        while (HandleReady(id)) busy = true;
      }
      for (NodeId id : net_.Ids()) {
        if (net_.DeliverTo(id) > 0) busy = true;
      }
      if (!busy) break;
    }
    for (const std::string& v : net_.CheckInvariants()) {
      Say(0, "INVARIANT VIOLATED: " + v);
      violated_ = true;
    }
  }

  bool HandleReady(NodeId id) {
    RaftNetwork::Node& n = net_.node(id);
    if (!n.raw || !n.raw->HasReady()) return false;
    const size_t applied_before = n.applied.size();
    ReportRole(id);
    net_.ProcessReady(id);
    ReportRole(id);
    for (size_t k = applied_before; k < n.applied.size(); ++k) {
      const raft::Entry& e = n.applied[k];
      Say(id, fmt::format("applied \"{}\" at index {} (term {})", e.data, e.index, e.term));
    }
    return true;
  }

  // Prints a node's role when it differs from what was last printed.
  void ReportRole(NodeId id) {
    const raft::Raft& r = net_.node(id).raw->raft();
    const std::pair<raft::StateRole, uint64_t> now{r.state(), r.term()};
    auto it = last_role_.find(id);
    if (it != last_role_.end() && it->second == now) return;
    last_role_[id] = now;
    Say(id, fmt::format("is {} in term {}", RoleName(r.state()), r.term()));
  }

  std::optional<NodeId> Leader() const {
    for (NodeId id : net_.Ids()) {
      const RaftNetwork::Node& n = net_.node(id);
      if (n.raw && n.raw->raft().state() == raft::StateRole::kLeader) return id;
    }
    return std::nullopt;
  }

  bool AllLiveApplied(const std::string& data) const {
    for (NodeId id : net_.Ids()) {
      const RaftNetwork::Node& n = net_.node(id);
      if (!n.raw) continue;
      bool found = false;
      for (const raft::Entry& e : n.applied) found |= e.data == data;
      if (!found) return false;
    }
    return true;
  }

  void Propose(NodeId id, const std::string& data) {
    const raft::StepResult r = net_.node(id).raw->Propose(data);
    Say(id, fmt::format("client proposes \"{}\"{}", data,
                        r == raft::StepResult::kOk ? "" : " (dropped)"));
    Settle();
  }

  void Say(NodeId id, const std::string& what) {
    if (id == 0) {
      out_ << fmt::format("t={:<4}      {}\n", tick_, what);
    } else {
      out_ << fmt::format("t={:<4} n{}  {}\n", tick_, id, what);
    }
  }

  static const char* RoleName(raft::StateRole role) {
    switch (role) {
      case raft::StateRole::kFollower: return "follower";
      case raft::StateRole::kCandidate: return "candidate";
      case raft::StateRole::kLeader: return "LEADER";
      case raft::StateRole::kPreCandidate: return "pre-candidate";
    }
    return "?";
  }

  RaftNetwork& net() { return net_; }
  bool violated() const { return violated_; }

 private:
  std::ostream& out_;
  PrintLogger logger_;
  RaftNetwork net_;
  int tick_ = 0;
  bool violated_ = false;
  std::map<NodeId, std::pair<raft::StateRole, uint64_t>> last_role_;
};

}  // namespace

int RunDemo(const DemoOptions& options, std::ostream& out) {
  DemoRun run(options, out);
  out << fmt::format("raftlab demo: three nodes, pre-vote and check-quorum on, seed {}\n",
                     options.seed);
  out << "One tick = one heartbeat interval; elections time out after 10-19 ticks.\n\n";
  out << "== 1. Electing a leader\n";
  if (!run.RunUntil([&] { return run.Leader().has_value(); }, 200)) return 1;
  const NodeId first = *run.Leader();
  run.Say(0, fmt::format("n{} leads", first));

  out << "\n== 2. Replicating proposals\n";
  for (const char* data : {"x=1", "y=2", "z=3"}) run.Propose(first, data);
  if (!run.RunUntil([&] { return run.AllLiveApplied("z=3"); }, 50)) return 1;

  out << "\n== 3. The leader crashes\n";
  run.net().Crash(first);
  run.Say(first, "CRASHED (its durable log survives; everything else is lost)");
  if (!run.RunUntil([&] { return run.Leader().has_value(); }, 200)) return 1;
  const NodeId second = *run.Leader();
  run.Say(0, fmt::format("n{} leads after n{} crashed", second, first));

  out << "\n== 4. Committing again with two of three nodes\n";
  run.Propose(second, "w=4");
  if (!run.RunUntil([&] { return run.AllLiveApplied("w=4"); }, 50)) return 1;

  out << "\n== 5. The old leader restarts and catches up\n";
  run.net().Restart(first);
  run.Say(first, "restarted from its durable log");
  if (!run.RunUntil([&] { return run.AllLiveApplied("w=4"); }, 100)) return 1;
  out << "\nEvery node applied the same entries in the same order; invariants held.\n";
  return run.violated() ? 1 : 0;
}

}  // namespace raftlab::sim
