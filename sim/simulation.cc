#include "sim/simulation.h"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "core/base/check.h"
#include "sim/run_checks.h"
#include "sim/stale_tail.h"

namespace raftlab::sim {

Simulation::Simulation(const SimConfig& config)
    : config_(config), root_(config.seed), trace_(config.keep_trace_lines, config.trace_sink) {
  trace_.set_keep_hash_history(config.keep_hash_history);
  // The fixed split order: network, workload, nemesis, then each node.
  Prng network_prng = root_.Split();
  Prng workload_prng = root_.Split();
  Prng nemesis_prng = root_.Split();
  network_ = std::make_unique<Network>(config.network, network_prng, &queue_, &trace_);
  raft::ConfState initial;
  for (int i = 1; i <= config.nodes; ++i) initial.voters.push_back(static_cast<raft::NodeId>(i));
  NodeHost::Callbacks cb;
  cb.send = [this](raft::Message m) { network_->Send(std::move(m)); };
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
    CheckCommitSafety(node);
  };
  cb.snapshot_status = [this](raft::NodeId leader, raft::NodeId follower, bool failed) {
    nodes_[leader - 1]->ReportSnapshot(follower, failed);
  };
  if (config.invariants_every_events != 0) {
    cb.violation = [this](raft::NodeId, const std::string& what) { ReportRaftViolation(what); };
  }
  for (int i = 1; i <= config.nodes; ++i) {
    Prng raft_prng = root_.Split();
    Prng disk_prng = root_.Split();
    nodes_.push_back(std::make_unique<NodeHost>(static_cast<raft::NodeId>(i), config, initial,
                                                raft_prng, disk_prng, &queue_, &trace_, cb));
  }
  network_->set_deliver([this](const raft::Message& m) { Deliver(m); });
  network_->set_on_drop([this](const raft::Message& m) {
    // The transport reports a snapshot it could not deliver (etcd's rafthttp does).
    if (m.type == raft::MessageType::kSnap) nodes_[m.from - 1]->ReportSnapshot(m.to, true);
  });
  workload_ = std::make_unique<Workload>(
      config.workload, config.nodes, workload_prng, &queue_, &trace_,
      [this](raft::NodeId node, const serverpb::ClientRequest& req) {
        return nodes_[node - 1]->Submit(req);
      });
  // Split after the nodes' streams, so schedules never shift their draws.
  injector_ = std::make_unique<FaultInjector>(&queue_, &trace_, network_.get(), &nodes_,
                                              root_.Split(), [this] { return LeaderOrZero(); });
  nemesis_ = std::make_unique<Nemesis>(config.nemesis, config.nodes, nemesis_prng, &queue_,
                                       injector_.get());
  workload_->set_watch_fns(Workload::WatchFns{
      [this](raft::NodeId node, const etcdserverpb::WatchCreateRequest& req) {
        return nodes_[node - 1]->Watch(req);
      },
      [this](raft::NodeId node, int64_t id) { nodes_[node - 1]->CancelWatch(id); }});
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

namespace {

constexpr TimeNs kAvailabilityProbe = 100 * kMillisecond;

// A CHECK failure inside the simulated cluster is a finding about the core
// (e.g. "tocommit out of range" after a planted bug), not a reason to lose
// the run: it unwinds to Run(), which reports it with the trace and the
// faults so far. The cluster's state is abandoned, never used again.
struct CheckFailureInRun {
  std::string message;
};

[[noreturn]] void ThrowCheckFailure(const std::string& message) {
  throw CheckFailureInRun{message};
}

}  // namespace

SimResult Simulation::Run() {
  const CheckFailureHandler previous = SetCheckFailureHandler(&ThrowCheckFailure);
  bool crashed = false;
  try {
    RunPhases();
  } catch (const CheckFailureInRun& e) {
    SetCheckFailureHandler(previous);
    violations_.push_back("crash: " + e.message);
    crashed = true;
    workload_->Finish();
    trace_.Add(queue_.now(), TraceKind::kNote, 0, 0, 0, 0, "CHECK failure: " + e.message);
  }
  SetCheckFailureHandler(previous);
  SimResult result;
  result.trace_hash = trace_.hash();
  result.violations = violations_;
  result.history = workload_->history();
  result.trace_lines = trace_.lines();
  result.hash_history = trace_.hash_history();
  result.faults = injector_->fired();
  result.stats.events = trace_.events();
  result.stats.sim_time = queue_.now();
  result.stats.messages_sent = network_->sent();
  result.stats.messages_dropped = network_->dropped();
  result.stats.faults = injector_->count();
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
  // After a crash the recorded streams stop mid-flight: judging them would
  // only add noise to the one finding that matters.
  if (!crashed) {
    for (std::string& v : CheckRecordedRun(config_, result)) result.violations.push_back(v);
  }
  return result;
}

void Simulation::RunPhases() {
  for (auto& n : nodes_) n->Start();
  workload_->Start();
  for (const FaultEvent& e : config_.schedule) injector_->Schedule(e);
  nemesis_->Start();
  if (config_.availability_bound != 0) {
    AvailabilityMonitor::Options options;
    options.bound = config_.availability_bound;
    options.stay = config_.server.pre_vote && config_.server.check_quorum;
    // Every follower of a steady leader has heard a heartbeat by then.
    options.arm_delay =
        5 * static_cast<TimeNs>(config_.server.heartbeat_tick * config_.server.tick_ms) *
        kMillisecond;
    // Two client timeouts: a client stuck on an unreachable member has
    // moved on by then.
    options.serve_bound = 2 * config_.workload.request_timeout;
    availability_ = std::make_unique<AvailabilityMonitor>(config_.nodes, options);
    ProbeAvailability();
  }
  RunUntil(config_.duration);
  availability_.reset();
  if (safety_broken_) {
    // The finding is made; a cluster past a broken Raft invariant can only
    // add noise (and message storms between two leaders of one term).
    workload_->Finish();
    return;
  }

  // Liveness phase: heal everything, stop faults, and demand progress.
  nemesis_->Stop();
  injector_->Disable();
  injector_->HealAll();
  // Within the bound: a leader, then a client operation that succeeds, then
  // (clients stopped, so replicas can catch up) every replica converged.
  const TimeNs deadline = queue_.now() + config_.liveness_bound;
  // The progress demanded is a write if clients send any: reads alone would
  // pass a cluster that drops every proposal (BUGZOO B18).
  const auto& sent = workload_->writes_invoked();
  const bool writes = std::any_of(sent.begin(), sent.end(), [](uint64_t n) { return n > 0; });
  const auto progress = [&] { return writes ? workload_->writes_ok() : workload_->completed_ok(); };
  const uint64_t ok_at_heal = progress();
  enum { kNoLeader, kNoProgress, kNotConverged, kLive } stage = kNoLeader;
  // A safety finding made while healing ends the run too: RunUntil stops
  // advancing time once one is recorded.
  while (queue_.now() < deadline && stage != kLive && !safety_broken_) {
    RunUntil(std::min(deadline, queue_.now() + 100 * kMillisecond));
    if (stage == kNoLeader && LeaderOrZero() != 0) stage = kNoProgress;
    if (stage == kNoProgress && progress() > ok_at_heal) {
      stage = kNotConverged;
      workload_->Stop();
    }
    if (stage == kNotConverged && LeaderOrZero() != 0 && Converged()) stage = kLive;
  }
  workload_->Finish();
  if (safety_broken_) return;
  CheckInvariants();
  CheckRecoveries();
  const std::string bound = FormatDuration(config_.liveness_bound);
  switch (stage) {
    case kNoLeader:
      violations_.push_back("liveness: no leader within " + bound + " after healing");
      break;
    case kNoProgress:
      violations_.push_back(fmt::format("liveness: no client {} succeeded within {} after healing",
                                        writes ? "write" : "operation", bound));
      break;
    case kNotConverged:
      violations_.push_back("liveness: replicas did not converge (equal applied index and KV "
                            "hash) within " + bound + " after healing");
      break;
    case kLive:
      break;
  }
}

void Simulation::RunUntil(TimeNs end) {
  uint64_t since_check = 0;
  while (queue_.size() > 0 && queue_.next_time() <= end && !safety_broken_) {
    queue_.RunNext();
    if (config_.invariants_every_events != 0 && ++since_check >= config_.invariants_every_events) {
      since_check = 0;
      CheckInvariants();
    }
  }
  if (safety_broken_) return;  // events before `end` stay unrun
  queue_.AdvanceTo(end);
}

namespace {

// Assigns a member's whole log (what RaftLog::AllEntries returns: the stored
// entries below the unstable tail, then the tail) to *out element by
// element, so the entries' buffers are reused. Fresh copies of every log at
// every check were half of a run's time.
void AssignLog(const server::Server& s, std::vector<raft::Entry>* out) {
  const raft::RaftLog& log = s.raw_node().raft().raft_log();
  const std::vector<raft::Entry>& unstable = log.UnstableEntries();
  const uint64_t first = log.FirstIndex();
  const uint64_t last = log.LastIndex();
  const uint64_t stored_end = unstable.empty() ? last + 1 : unstable.front().index;
  const std::span<const raft::Entry> stored =
      stored_end > first ? s.storage().View(first, stored_end) : std::span<const raft::Entry>();
  out->resize(stored.size() + unstable.size());
  std::copy(stored.begin(), stored.end(), out->begin());
  std::copy(unstable.begin(), unstable.end(), out->begin() + static_cast<long>(stored.size()));
  if (out->empty()) return;
  CHECK_EQ(out->front().index, first);
  CHECK_EQ(out->back().index, last);
  CHECK_EQ(out->size(), last - first + 1);
}

}  // namespace

void Simulation::CheckInvariants() {
  views_.resize(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeHost& n = *nodes_[i];
    raft::NodeView& v = views_[i];
    std::vector<raft::Entry> log = std::move(v.log);
    v = raft::NodeView{};
    v.log = std::move(log);
    v.id = n.id();
    v.up = n.up();
    v.incarnation = n.incarnation();
    if (!v.up) {
      v.log.clear();
      continue;
    }
    raft::ViewVolatileState(n.server()->raw_node().raft(), &v);
    AssignLog(*n.server(), &v.log);
    v.durable = n.server()->storage().hard_state();
  }
  for (std::string& v : invariants_.Check(views_)) {
    ReportRaftViolation(v);
  }
}

void Simulation::Deliver(const raft::Message& m) {
  NodeHost& to = *nodes_[m.to - 1];
  const bool check = m.type == raft::MessageType::kApp && config_.invariants_every_events != 0 &&
                     to.up() && !to.paused();
  const uint64_t committed_before =
      check ? to.server()->raw_node().raft().raft_log().committed() : 0;
  to.Deliver(m);
  if (!check || !to.up() || m.index < committed_before) return;
  const raft::Raft& f = to.server()->raw_node().raft();
  NodeHost& from = *nodes_[m.from - 1];
  if (f.term() != m.term || f.state() != raft::StateRole::kFollower ||
      !f.raft_log().MatchTerm(m.index, m.log_term) || !from.up()) {
    return;  // not accepted (or no longer judged against a live leader)
  }
  const raft::Raft& l = from.server()->raw_node().raft();
  if (l.term() != m.term || l.state() != raft::StateRole::kLeader) return;
  if (std::optional<std::string> v = CheckStaleTail(m, f.raft_log(), l.raft_log())) {
    ReportRaftViolation(*v);
  }
}

void Simulation::ReportRaftViolation(const std::string& what) {
  if (violations_.size() < 20) violations_.push_back("raft: " + what);
  safety_broken_ = true;
}

void Simulation::CheckCommitSafety(raft::NodeId node) {
  // Judged after every Ready a member applies, when its commit index may
  // just have moved: the moment a wrong commit happens. One report a run.
  if (commit_safety_reported_) return;
  const raft::RaftLog& log = nodes_[node - 1]->server()->raw_node().raft().raft_log();
  const uint64_t index = log.committed();
  const raft::StorageResult<uint64_t> term = log.Term(index);
  if (index == 0 || !term) return;
  std::vector<MemberLog>& members = commit_safety_members_;
  members.resize(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeHost& n = *nodes_[i];
    MemberLog& m = members[i];
    m = MemberLog{};
    m.id = n.id();
    m.up = n.up();
    if (!m.up) {
      // A member whose disk was damaged may never start again.
      const DurableLog& d = n.durable_log();
      if (!d.known || n.damaged() || n.failed()) continue;
      m.candidate = true;
      m.last_index = d.last_index();
      m.last_term = d.last_term();
      m.holds = d.Holds(index, *term);
      m.voters = d.voters;
      m.promotable = d.promotable;
      continue;
    }
    m.candidate = true;
    const raft::Raft& r = n.server()->raw_node().raft();
    const raft::RaftLog& l = r.raft_log();
    m.last_index = l.LastIndex();
    m.last_term = l.LastTerm();
    const raft::StorageResult<uint64_t> t = l.Term(index);
    m.holds = t ? *t == *term : t.error() == raft::StorageError::kCompacted;
    m.voters = r.tracker().config.voters;
    // Who may campaign, by the protocol's rules (not a planted bug's): a
    // non-voter too (Raft::NonVoterMayCampaign), without its own vote.
    m.promotable = r.CanCampaign();
  }
  if (std::optional<std::string> v = sim::CheckCommitSafety(node, index, *term, members)) {
    commit_safety_reported_ = true;
    trace_.Add(queue_.now(), TraceKind::kNote, node, 0, 0, 0, "raft: " + *v);
    ReportRaftViolation(*v);
  }
}

void Simulation::ProbeAvailability() {
  if (!availability_) return;  // the safety phase is over
  // Only voters can elect: a learner or a removed member never counts toward
  // the healthy majority (with voters {2,3} and learner 1, n2 down leaves no
  // quorum, correctly). The voters are those of the configuration applied
  // furthest, by the running member with the highest applied index; without
  // membership changes that is every member.
  const raft::JointConfig* voters = nullptr;
  uint64_t applied = 0;
  for (const auto& n : nodes_) {
    if (!n->up()) continue;
    const raft::Raft& r = n->server()->raw_node().raft();
    if (voters == nullptr || r.raft_log().applied() > applied) {
      voters = &r.tracker().config.voters;
      applied = r.raft_log().applied();
    }
  }
  ClusterProbe p;
  p.now = queue_.now();
  p.terms.resize(nodes_.size());
  for (const auto& n : nodes_) {
    if (!n->up()) continue;
    p.terms[n->id() - 1] = n->server()->raw_node().raft().term();
    if (voters != nullptr && !voters->Contains(n->id())) continue;
    if (!n->paused() && !n->failed() && n->slow() == 0 && n->apply_lag() == 0 &&
        !n->disk().stalled() &&
        n->clock().drift_ppm == 0) {
      p.healthy.push_back(n->id());
    }
  }
  p.leader = LeaderOrZero();
  if (p.leader != 0) {
    const raft::Raft& r = nodes_[p.leader - 1]->server()->raw_node().raft();
    p.leader_term = r.term();
    p.voters = r.tracker().VoterNodes();
    p.leader_settled = std::binary_search(p.voters.begin(), p.voters.end(), p.leader) &&
                       r.lead_transferee() == raft::kNone &&
                       r.pending_conf_index() <= r.raft_log().applied();
  }
  p.fault_changes = injector_->changes();
  p.writes_invoked = workload_->writes_invoked();
  p.writes_ok = workload_->writes_ok();
  const auto connected = [this](raft::NodeId a, raft::NodeId b) {
    return !network_->Blocked(a, b) && !network_->Blocked(b, a) && !network_->NodeClogged(a) &&
           !network_->NodeClogged(b);
  };
  for (std::string& v : availability_->Probe(p, connected)) violations_.push_back(std::move(v));
  queue_.After(kAvailabilityProbe, [this] { ProbeAvailability(); });
}

void Simulation::CheckRecoveries() {
  for (const auto& n : nodes_) {
    if (n->failed() && !n->damaged()) {
      violations_.push_back(fmt::format(
          "storage: n{} refused to recover although its disk was never damaged: {}", n->id(),
          n->failure()));
    }
  }
}

bool Simulation::Converged() {
  // Every member of the leader's configuration whose disk is intact applied
  // the same index with the same KV hash. (A member whose disk was damaged
  // refuses to start; the cluster goes on without it, as etcd would.)
  const raft::NodeId leader = LeaderOrZero();
  if (leader == 0) return false;
  const raft::Raft& lr = nodes_[leader - 1]->server()->raw_node().raft();
  std::vector<raft::NodeId> members = lr.tracker().VoterNodes();
  for (raft::NodeId l : lr.tracker().LearnerNodes()) members.push_back(l);
  uint64_t index = 0;
  uint32_t hash = 0;
  bool first = true;
  for (raft::NodeId id : members) {
    const NodeHost& n = *nodes_[id - 1];
    if (n.failed()) continue;
    if (!n.up()) return false;
    const server::Server* s = nodes_[id - 1]->server();
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
