#include "sim/simulation.h"

#include <fmt/format.h>

#include "core/base/check.h"
#include "sim/run_checks.h"

namespace raftlab::sim {

Simulation::Simulation(const SimConfig& config)
    : config_(config), root_(config.seed), trace_(config.keep_trace_lines),
      nemesis_prng_(0) {
  trace_.set_keep_hash_history(config.keep_hash_history);
  // The fixed split order: network, workload, nemesis, then each node.
  Prng network_prng = root_.Split();
  Prng workload_prng = root_.Split();
  nemesis_prng_ = root_.Split();
  network_ = std::make_unique<Network>(config.network, network_prng, &queue_, &trace_);
  raft::ConfState initial;
  for (int i = 1; i <= config.nodes; ++i) initial.voters.push_back(static_cast<raft::NodeId>(i));
  NodeHost::Callbacks cb;
  cb.send = [this](const raft::Message& m) { network_->Send(m); };
  cb.respond = [this](raft::NodeId node, const serverpb::ClientResponse& r) {
    workload_->OnResponse(node, r);
  };
  if (config.workload.watch_clients > 0) {
    cb.watch = [this](raft::NodeId node, int64_t id,
                      const std::vector<etcdserverpb::WatchResponse>& responses) {
      workload_->OnWatchResponses(node, id, responses);
    };
  }
  cb.down = [this](raft::NodeId node) { workload_->OnMemberDown(node); };
  cb.applied = [this](raft::NodeId node, const server::Server& s, bool restarted) {
    committed_.Observe(node, s.kv(), queue_.now(), restarted);
  };
  for (int i = 1; i <= config.nodes; ++i) {
    Prng raft_prng = root_.Split();
    Prng disk_prng = root_.Split();
    nodes_.push_back(std::make_unique<NodeHost>(static_cast<raft::NodeId>(i), config, initial,
                                                raft_prng, disk_prng, &queue_, &trace_, cb));
  }
  network_->set_deliver([this](const raft::Message& m) { nodes_[m.to - 1]->Deliver(m); });
  network_->set_on_drop([this](const raft::Message& m) {
    // The transport reports a snapshot it could not deliver (etcd's rafthttp does).
    if (m.type == raft::MessageType::kSnap) nodes_[m.from - 1]->ReportSnapshot(m.to, true);
  });
  workload_ = std::make_unique<Workload>(
      config.workload, config.nodes, workload_prng, &queue_, &trace_,
      [this](raft::NodeId node, const serverpb::ClientRequest& req) {
        return nodes_[node - 1]->Submit(req);
      });
  workload_->set_watch_fns(Workload::WatchFns{
      [this](raft::NodeId node, const etcdserverpb::WatchCreateRequest& req) {
        return nodes_[node - 1]->Watch(req);
      },
      [this](raft::NodeId node, int64_t id) { nodes_[node - 1]->CancelWatch(id); }});
}

std::vector<raft::NodeId> Simulation::Ids() const {
  std::vector<raft::NodeId> ids;
  for (const auto& n : nodes_) ids.push_back(n->id());
  return ids;
}

raft::NodeId Simulation::LeaderOrZero() {
  raft::NodeId leader = 0;
  uint64_t term = 0;
  for (const auto& n : nodes_) {
    if (!n->up() || n->paused()) continue;
    const raft::Raft& r = n->server()->raw_node().raft();
    if (r.state() == raft::StateRole::kLeader && r.term() >= term) {
      leader = n->id();
      term = r.term();
    }
  }
  return leader;
}

SimResult Simulation::Run() {
  for (auto& n : nodes_) n->Start();
  workload_->Start();
  nemesis_on_ = config_.nemesis.enabled;
  if (nemesis_on_) ScheduleNemesis();
  RunUntil(config_.duration);

  // Liveness phase: heal everything, stop faults, and demand progress.
  nemesis_on_ = false;
  HealAll();
  const TimeNs deadline = queue_.now() + config_.liveness_bound;
  bool live = false;
  while (queue_.now() < deadline) {
    RunUntil(std::min(deadline, queue_.now() + kSecond));
    if (LeaderOrZero() != 0 && Converged()) {
      live = true;
      break;
    }
  }
  workload_->Finish();
  CheckInvariants();
  if (!live) {
    violations_.push_back(fmt::format(
        "liveness: no stable leader with converged replicas within {} after healing",
        Trace::FormatTime(config_.liveness_bound)));
  }
  SimResult result;
  result.trace_hash = trace_.hash();
  result.violations = violations_;
  result.history = workload_->history();
  result.trace_lines = trace_.lines();
  result.hash_history = trace_.hash_history();
  result.stats.events = trace_.events();
  result.stats.sim_time = queue_.now();
  result.stats.messages_sent = network_->sent();
  result.stats.messages_dropped = network_->dropped();
  result.stats.faults = faults_;
  for (const HistoryOp& op : result.history) {
    if (op.status == "ok") ++result.stats.ops_ok;
    if (op.status == "fail") ++result.stats.ops_fail;
    if (op.status == "info") ++result.stats.ops_info;
  }
  result.watch_streams = workload_->watch_streams();
  result.lease_ops = workload_->lease_ops();
  result.compactions = workload_->compactions();
  result.committed = committed_.history();
  for (const std::string& v : committed_.violations()) result.violations.push_back(v);
  for (std::string& v : CheckRecordedRun(config_, result)) result.violations.push_back(v);
  return result;
}

void Simulation::RunUntil(TimeNs end) {
  uint64_t since_check = 0;
  while (queue_.size() > 0 && queue_.next_time() <= end) {
    queue_.RunNext();
    if (config_.invariants_every_events != 0 && ++since_check >= config_.invariants_every_events) {
      since_check = 0;
      CheckInvariants();
    }
  }
}

void Simulation::CheckInvariants() {
  std::vector<raft::NodeView> views;
  for (const auto& n : nodes_) {
    raft::NodeView v;
    v.id = n->id();
    v.up = n->up();
    v.incarnation = n->incarnation();
    if (v.up) {
      const raft::Raft& r = n->server()->raw_node().raft();
      v.term = r.term();
      v.vote = r.vote();
      v.role = r.state();
      v.commit = r.raft_log().committed();
      v.applied = r.raft_log().applied();
      v.snapshot_index = r.raft_log().FirstIndex() - 1;
      v.log = r.raft_log().AllEntries();
      v.durable = n->server()->storage().hard_state();
    }
    views.push_back(std::move(v));
  }
  for (std::string& v : invariants_.Check(views)) {
    if (violations_.size() < 20) violations_.push_back("raft: " + v);
  }
}

bool Simulation::Converged() {
  // Every member applied the same index with the same KV hash.
  uint64_t index = 0;
  uint32_t hash = 0;
  bool first = true;
  for (const auto& n : nodes_) {
    if (!n->up()) return false;
    const server::Server* s = n->server();
    if (first) {
      index = s->consistent_index();
      hash = s->KvHash();
      first = false;
    } else if (s->consistent_index() != index || s->KvHash() != hash) {
      return false;
    }
  }
  return true;
}

void Simulation::HealAll() {
  network_->Heal();
  for (auto& n : nodes_) {
    if (n->paused()) n->Resume();
    if (!n->up() && !n->failed()) n->Start();
    // Stop the drift without a jump (a forward jump would expire leases early).
    NodeClock& c = n->clock();
    c.offset_ns = c.Local(queue_.now()) - static_cast<int64_t>(queue_.now());
    c.drift_since = queue_.now();
    c.drift_ppm = 0;
  }
  trace_.Add(queue_.now(), TraceKind::kFault, 0, 100, 0, 0, "heal everything (liveness phase)");
}

void Simulation::ScheduleNemesis() {
  const TimeNs wait = nemesis_prng_.Range(config_.nemesis.interval_min,
                                          config_.nemesis.interval_max);
  queue_.After(wait, [this] {
    if (!nemesis_on_) return;
    InjectFault();
    ScheduleNemesis();
  });
}

void Simulation::InjectFault() {
  const NemesisModel& m = config_.nemesis;
  std::vector<int> kinds;
  if (m.partitions) kinds.push_back(0);
  if (m.crashes) kinds.push_back(1);
  if (m.pauses) kinds.push_back(2);
  if (m.clocks) kinds.push_back(3);
  if (kinds.empty()) return;
  const int kind = kinds[nemesis_prng_.Index(kinds.size())];
  const raft::NodeId target = static_cast<raft::NodeId>(nemesis_prng_.Range(1, config_.nodes));
  const TimeNs lasts = nemesis_prng_.Range(m.fault_min, m.fault_max);
  ++faults_;
  NodeHost& node = *nodes_[target - 1];
  switch (kind) {
    case 0: {
      network_->Isolate(target, Ids());
      trace_.Add(queue_.now(), TraceKind::kFault, target, 10, 0, 0, "nemesis: isolate");
      queue_.After(lasts, [this] {
        if (!nemesis_on_) return;
        network_->Heal();
        trace_.Add(queue_.now(), TraceKind::kFault, 0, 11, 0, 0, "nemesis: heal partition");
      });
      break;
    }
    case 1:
      node.Crash();
      queue_.After(lasts, [this, target] {
        NodeHost& n = *nodes_[target - 1];
        if (!n.up() && !n.failed()) n.Start();
      });
      break;
    case 2:
      node.Pause();
      trace_.Add(queue_.now(), TraceKind::kFault, target, 12, 0, 0, "nemesis: pause");
      queue_.After(lasts, [this, target] {
        NodeHost& n = *nodes_[target - 1];
        if (n.paused()) {
          n.Resume();
          trace_.Add(queue_.now(), TraceKind::kFault, target, 13, 0, 0, "nemesis: resume");
        }
      });
      break;
    case 3: {
      // Drift up to +/-50%: the node's ticks (timeouts, lease timing) speed up or slow down.
      const int64_t ppm = static_cast<int64_t>(nemesis_prng_.Range(0, 1'000'000)) - 500'000;
      node.clock().offset_ns = node.clock().Local(queue_.now()) - static_cast<int64_t>(queue_.now());
      node.clock().drift_since = queue_.now();
      node.clock().drift_ppm = ppm;
      trace_.Add(queue_.now(), TraceKind::kFault, target, 14, static_cast<uint64_t>(ppm), 0,
                 fmt::format("nemesis: clock drift {} ppm", ppm));
      break;
    }
  }
}

std::string CheckDeterminism(const SimConfig& config) {
  SimConfig c = config;
  c.keep_hash_history = true;
  c.keep_trace_lines = true;
  SimResult a = Simulation(c).Run();
  SimResult b = Simulation(c).Run();
  const size_t n = std::min(a.hash_history.size(), b.hash_history.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.hash_history[i] != b.hash_history[i]) {
      return fmt::format("runs diverge at event {}: [{}] vs [{}]", i, a.trace_lines[i],
                         b.trace_lines[i]);
    }
  }
  if (a.hash_history.size() != b.hash_history.size()) {
    return fmt::format("runs have {} and {} events", a.hash_history.size(),
                       b.hash_history.size());
  }
  return "";
}

}  // namespace raftlab::sim
