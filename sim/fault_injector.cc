#include "sim/fault_injector.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::sim {
namespace {

// A Fisher-Yates shuffle from the injector's own stream.
void Shuffle(std::vector<raft::NodeId>* ids, Prng* prng) {
  for (size_t i = ids->size(); i > 1; --i) std::swap((*ids)[i - 1], (*ids)[prng->Index(i)]);
}

}  // namespace

std::vector<raft::NodeId> FaultInjector::Ids() const {
  std::vector<raft::NodeId> ids;
  for (const auto& n : *nodes_) ids.push_back(n->id());
  return ids;
}

raft::NodeId FaultInjector::Resolve(const std::string& name, raft::NodeId avoid) {
  const auto n = static_cast<raft::NodeId>(nodes_->size());
  if (name == "leader") return leader_();
  if (name == "random") return static_cast<raft::NodeId>(prng_.Range(1, n));
  if (name == "follower") {
    const raft::NodeId leader = leader_();
    std::vector<raft::NodeId> candidates;
    for (raft::NodeId id : Ids()) {
      if (id != leader && id != avoid) candidates.push_back(id);
    }
    return candidates.empty() ? 0 : candidates[prng_.Index(candidates.size())];
  }
  const raft::NodeId id = NodeFromName(name);
  return id >= 1 && id <= n ? id : 0;
}

void FaultInjector::Schedule(const FaultEvent& e) {
  queue_->At(std::max(e.at, queue_->now()), [this, e] { Fire(e); });
}

void FaultInjector::Fire(const FaultEvent& e) {
  if (!enabled_) return;
  FaultEvent record = e;
  record.at = queue_->now();
  std::vector<raft::NodeId> targets;
  for (std::string& name : record.targets) {
    const raft::NodeId id = Resolve(name, targets.empty() ? 0 : targets.front());
    if (id == 0) {
      Note(fmt::format("fault skipped: {} ({} resolves to no node now)", DescribeFault(e), name));
      return;
    }
    // What was drawn at random is written down; "leader" stays symbolic.
    if (name != "leader") name = NodeName(id);
    targets.push_back(id);
  }
  std::string note;
  std::function<void()> undo = Apply(record, targets, &note);
  trace_->Add(queue_->now(), TraceKind::kFault, targets.empty() ? 0 : targets.front(),
              1000 + static_cast<uint64_t>(e.kind), static_cast<uint64_t>(e.amount),
              targets.size(),
              fmt::format("fault: {}{}{}", DescribeFault(record),
                          targets.empty() || record.targets == e.targets || e.targets.empty()
                              ? ""
                              : fmt::format(" (was {})", fmt::join(e.targets, ",")),
                          note.empty() ? "" : ": " + note));
  fired_.push_back(record);
  ++changes_;
  if (undo && e.duration > 0) {
    queue_->After(e.duration, [this, undo, what = DescribeFault(record)] {
      if (!enabled_) return;
      undo();
      ++changes_;
      Note("fault ends: " + what);
    });
  }
}

std::function<void()> FaultInjector::Apply(const FaultEvent& e,
                                           const std::vector<raft::NodeId>& targets,
                                           std::string* note) {
  const raft::NodeId t = targets.empty() ? 0 : targets.front();
  switch (e.kind) {
    case FaultKind::kIsolate:
    case FaultKind::kPartition:
    case FaultKind::kMinority:
    case FaultKind::kBridge:
    case FaultKind::kRing:
    case FaultKind::kCut:
    case FaultKind::kClog:
    case FaultKind::kHeal:
      return ApplyNetwork(e, targets);
    case FaultKind::kCrash:
      Node(t).Crash();
      return [this, t] {
        if (!Node(t).up() && !Node(t).failed()) Node(t).Start();
      };
    case FaultKind::kCrashAfterPropose:
      // Armed now, fires when the member next appends as leader: a leader
      // dies right after a proposal, or a follower right after it wins an
      // election (its no-op), before anyone else has the entries. A crash
      // at a random time almost never hits that window of a millisecond.
      Node(t).set_crash_after_propose(true);
      return [this, t] {
        Node(t).set_crash_after_propose(false);
        if (!Node(t).up() && !Node(t).failed()) Node(t).Start();
      };
    case FaultKind::kRestart:
      if (!Node(t).up() && !Node(t).failed()) Node(t).Start();
      return nullptr;
    case FaultKind::kPause:
      Node(t).Pause();
      return [this, t] {
        if (Node(t).paused()) Node(t).Resume();
      };
    case FaultKind::kResume:
      if (Node(t).paused()) Node(t).Resume();
      return nullptr;
    case FaultKind::kSlow:
      Node(t).set_slow(static_cast<TimeNs>(std::max<int64_t>(0, e.amount)));
      return [this, t] { Node(t).set_slow(0); };
    case FaultKind::kSlowApply:
      Node(t).set_apply_lag(static_cast<TimeNs>(std::max<int64_t>(0, e.amount)));
      return [this, t] { Node(t).set_apply_lag(0); };
    case FaultKind::kFsyncError:
      Node(t).disk().FailNextSync();
      return nullptr;
    case FaultKind::kDiskFull:
      Node(t).disk().set_full(true);
      return [this, t] { Node(t).disk().set_full(false); };
    case FaultKind::kDiskStall:
      Node(t).StartStall();
      return [this, t] { Node(t).EndStall(); };
    case FaultKind::kCorrupt:
    case FaultKind::kMisdirect:
      *note = Node(t).disk().Corrupt(e.kind == FaultKind::kMisdirect);
      if (note->empty()) {
        *note = "nothing durable to damage";
      } else {
        Node(t).set_damaged();
      }
      return nullptr;
    case FaultKind::kClockJump:
      Node(t).clock().offset_ns += e.amount;
      return nullptr;
    case FaultKind::kClockDrift: {
      NodeClock& c = Node(t).clock();
      auto set_drift = [this, t](int64_t ppm) {
        NodeClock& clock = Node(t).clock();
        // Rebase so the local clock is continuous across the rate change.
        clock.offset_ns = clock.Local(queue_->now()) - static_cast<int64_t>(queue_->now());
        clock.drift_since = queue_->now();
        clock.drift_ppm = ppm;
      };
      const int64_t before = c.drift_ppm;
      set_drift(std::clamp<int64_t>(e.amount, -900'000, 10'000'000));
      return [set_drift, before] { set_drift(before); };
    }
    case FaultKind::kTransferLeader:
    case FaultKind::kRemoveMember:
    case FaultKind::kAddMember:
    case FaultKind::kAddLearner:
    case FaultKind::kCompact:
      return ApplyCluster(e, targets, note);
    case FaultKind::kCount:
      break;
  }
  UNREACHABLE();
}

std::vector<std::vector<raft::NodeId>> FaultInjector::Halves(raft::NodeId bridge) {
  std::vector<raft::NodeId> others;
  for (raft::NodeId id : Ids()) {
    if (id != bridge) others.push_back(id);
  }
  Shuffle(&others, &prng_);
  const auto half = static_cast<std::ptrdiff_t>(others.size() / 2);
  return {std::vector<raft::NodeId>(others.begin(), others.begin() + half),
          std::vector<raft::NodeId>(others.begin() + half, others.end())};
}

std::function<void()> FaultInjector::ApplyNetwork(const FaultEvent& e,
                                                  const std::vector<raft::NodeId>& targets) {
  const raft::NodeId t = targets.empty() ? 0 : targets.front();
  std::vector<Network::Link> links;
  switch (e.kind) {
    case FaultKind::kIsolate:
      for (raft::NodeId other : Ids()) {
        if (other == t) continue;
        links.emplace_back(t, other);
        links.emplace_back(other, t);
      }
      break;
    case FaultKind::kPartition: {
      std::vector<std::vector<raft::NodeId>> groups;
      for (const auto& g : e.groups) {
        groups.emplace_back();
        for (const std::string& name : g) {
          if (raft::NodeId id = Resolve(name); id != 0) groups.back().push_back(id);
        }
      }
      links = Network::SplitLinks(groups);
      break;
    }
    case FaultKind::kMinority: {
      std::vector<raft::NodeId> others;
      for (raft::NodeId id : Ids()) {
        if (id != t) others.push_back(id);
      }
      Shuffle(&others, &prng_);
      const size_t size = std::max<size_t>(1, (nodes_->size() - 1) / 2);
      std::vector<raft::NodeId> minority;
      if (t != 0) minority.push_back(t);
      std::vector<raft::NodeId> rest;
      for (raft::NodeId id : others) (minority.size() < size ? minority : rest).push_back(id);
      links = Network::SplitLinks({minority, rest});
      break;
    }
    case FaultKind::kBridge:
      links = Network::SplitLinks(Halves(t));
      break;
    case FaultKind::kRing: {
      // Majorities ring: every node sees a majority, no two the same one.
      std::vector<raft::NodeId> ring = Ids();
      Shuffle(&ring, &prng_);
      const size_t n = ring.size();
      const size_t majority = n / 2 + 1;
      const size_t reach = majority / 2;  // neighbours on each side
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
          const size_t d = std::min((i + n - j) % n, (j + n - i) % n);
          if (d > reach) links.emplace_back(ring[i], ring[j]);
        }
      }
      break;
    }
    case FaultKind::kCut:
      for (size_t i = 1; i < targets.size(); ++i) links.emplace_back(t, targets[i]);
      break;
    case FaultKind::kClog: {
      const uint64_t tag = network_->Clog(t);
      return [this, tag] { network_->Unclog(tag); };
    }
    case FaultKind::kHeal:
      network_->Heal();
      return nullptr;
    default:
      UNREACHABLE();
  }
  const uint64_t tag = network_->Block(links);
  return [this, tag] { network_->Unblock(tag); };
}

std::function<void()> FaultInjector::ApplyCluster(const FaultEvent& e,
                                                  const std::vector<raft::NodeId>& targets,
                                                  std::string* note) {
  const raft::NodeId leader = leader_();
  if (leader == 0) {
    *note = "skipped: no leader";
    return nullptr;
  }
  server::Server* s = Node(leader).server();
  const raft::NodeId t = targets.empty() ? 0 : targets.front();
  auto conf_change = [this](raft::ConfChangeType type, raft::NodeId node) {
    const raft::NodeId now_leader = leader_();
    if (now_leader == 0) return std::string("skipped: no leader");
    raft::ConfChangeV2 cc;
    cc.changes.push_back({type, node});
    const raft::StepResult r = Node(now_leader).ProposeConfChange(cc);
    return r == raft::StepResult::kOk ? std::string() : std::string("refused by the leader");
  };
  // The voters of the leader's configuration, for the membership guard.
  const std::vector<raft::NodeId> voters = s->raw_node().raft().tracker().VoterNodes();
  const bool target_votes = std::find(voters.begin(), voters.end(), t) != voters.end();
  switch (e.kind) {
    case FaultKind::kTransferLeader:
      if (t == leader) {
        *note = "skipped: already leader";
        return nullptr;
      }
      Node(leader).TransferLeader(t);
      return nullptr;
    case FaultKind::kRemoveMember: {
      // Any member goes, one of two voters too: a removed member with the
      // longest log campaigns for the voters that still count it
      // (Raft::NonVoterMayCampaign; scenarios/remove-from-two-voters.yaml).
      *note = conf_change(raft::ConfChangeType::kRemoveNode, t);
      return [conf_change, t] { conf_change(raft::ConfChangeType::kAddNode, t); };
    }
    case FaultKind::kAddMember:
      *note = conf_change(raft::ConfChangeType::kAddNode, t);
      return nullptr;
    case FaultKind::kAddLearner: {
      // Keep a majority of the members voting: demoting more would leave a
      // healthy majority that cannot elect (an operator's error, which the
      // availability check would report as a finding).
      if (target_votes && voters.size() - 1 < nodes_->size() / 2 + 1) {
        *note = "skipped: would leave fewer voters than a majority of the members";
        return nullptr;
      }
      // etcd's `member add --learner` + `member promote` flow, on a member
      // that is already in: it is demoted to a learner, and `for:` promotes
      // it back (a conf change adding it as a voter). A promotion commits on
      // the voters alone, so the learner may learn of it last.
      *note = conf_change(raft::ConfChangeType::kAddLearnerNode, t);
      return [conf_change, t] { conf_change(raft::ConfChangeType::kAddNode, t); };
    }
    case FaultKind::kCompact: {
      const int64_t rev = s->kv().current_revision() - std::max<int64_t>(0, e.amount);
      if (rev <= std::max<int64_t>(0, s->kv().compact_revision())) {
        *note = "skipped: nothing to compact";
        return nullptr;
      }
      serverpb::ClientRequest req;
      req.set_id((uint64_t{1} << 63) | ++next_request_id_);  // never a client's id
      req.mutable_compaction()->set_revision(rev);
      Node(leader).Submit(req);
      *note = fmt::format("at revision {}", rev);
      return nullptr;
    }
    default:
      UNREACHABLE();
  }
}

void FaultInjector::HealAll() {
  network_->Heal();
  for (auto& n : *nodes_) {
    n->set_slow(0);
    n->set_apply_lag(0);
    n->disk().set_full(false);
    n->EndStall();
    n->set_crash_after_propose(false);  // an armed crash must not fire after the heal
    if (n->paused()) n->Resume();
    if (!n->up() && !n->failed()) n->Start();
    NodeClock& c = n->clock();
    c.offset_ns = c.Local(queue_->now()) - static_cast<int64_t>(queue_->now());
    c.drift_since = queue_->now();
    c.drift_ppm = 0;
  }
  Note("heal everything (liveness phase)");
}

}  // namespace raftlab::sim
