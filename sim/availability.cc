#include "sim/availability.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "sim/fault.h"

namespace raftlab::sim {
namespace {

bool Contains(const std::vector<raft::NodeId>& ids, raft::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string Names(const std::vector<raft::NodeId>& ids) {
  std::vector<std::string> names;
  for (raft::NodeId id : ids) names.push_back(NodeName(id));
  return fmt::format("{}", fmt::join(names, ","));
}

}  // namespace

std::vector<raft::NodeId> AvailabilityMonitor::HealthyMajority(
    const std::vector<raft::NodeId>& among, const ConnectedFn& connected,
    const std::vector<raft::NodeId>* of) const {
  const size_t n = among.size();
  const size_t majority = (of != nullptr ? of->size() : static_cast<size_t>(nodes_)) / 2 + 1;
  const auto counted = [&](raft::NodeId id) { return of == nullptr || Contains(*of, id); };
  std::vector<raft::NodeId> best;
  size_t best_score = 0;
  if (n > 16) return best;
  // Clusters have at most 9 members: every subset is cheap to try.
  for (uint32_t mask = 1; mask < (1U << n); ++mask) {
    size_t score = 0;
    for (size_t i = 0; i < n; ++i) {
      if ((mask >> i & 1U) && counted(among[i])) ++score;
    }
    if (score < majority || score <= best_score) continue;
    bool clique = true;
    for (size_t i = 0; i < n && clique; ++i) {
      if (!(mask >> i & 1U)) continue;
      for (size_t j = i + 1; j < n && clique; ++j) {
        if ((mask >> j & 1U) && !connected(among[i], among[j])) clique = false;
      }
    }
    if (!clique) continue;
    best.clear();
    best_score = score;
    for (size_t i = 0; i < n; ++i) {
      if (mask >> i & 1U) best.push_back(among[i]);
    }
  }
  return best;
}

std::vector<raft::NodeId> AvailabilityMonitor::LeaderGroup(
    const ClusterProbe& p, const ConnectedFn& connected,
    const std::vector<raft::NodeId>* of) const {
  if (p.leader == 0 || !Contains(p.healthy, p.leader)) return {};
  std::vector<raft::NodeId> with_leader{p.leader};
  for (raft::NodeId id : p.healthy) {
    if (id != p.leader && connected(id, p.leader)) with_leader.push_back(id);
  }
  // Everyone here reaches the leader, so the largest clique includes it.
  return HealthyMajority(with_leader, connected, of);
}

std::vector<std::string> AvailabilityMonitor::Probe(const ClusterProbe& p,
                                                    const ConnectedFn& connected) {
  std::vector<std::string> out;
  if (auto v = ProbeElect(p, connected)) out.push_back(*v);
  ProbeStay(p, connected, &out);
  return out;
}

std::optional<std::string> AvailabilityMonitor::ProbeElect(const ClusterProbe& p,
                                                           const ConnectedFn& connected) {
  const std::vector<raft::NodeId> group = HealthyMajority(p.healthy, connected);
  // Led: the leader is in some healthy connected majority (with several
  // overlapping ones, e.g. around a one-way cut, any will do).
  const bool led = !group.empty() && !LeaderGroup(p, connected, nullptr).empty();
  if (group.empty() || led || group != group_) {
    // The outage (if any) ended, or the healthy group changed: start over.
    since_.reset();
    reported_ = false;
    group_ = group;
    if (group.empty() || led) return std::nullopt;
  }
  if (!since_) since_ = p.now;
  if (reported_ || p.now - *since_ < options_.bound) return std::nullopt;
  reported_ = true;
  return fmt::format(
      "liveness: healthy connected majority {} had no leader for {} (from {} during the faults)",
      Names(group), FormatDuration(options_.bound), FormatDuration(*since_));
}

void AvailabilityMonitor::ProbeStay(const ClusterProbe& p, const ConnectedFn& connected,
                                    std::vector<std::string>* out) {
  const bool fault_changed = p.fault_changes != fault_changes_ || !p.leader_settled;
  fault_changes_ = p.fault_changes;
  // Property 2 first: a term that rose since the last probe breaks the
  // armed episode even if the leader has already changed hands.
  if (steady_ && steady_->armed && !steady_->reported_stay && !fault_changed) {
    for (size_t i = 0; i < p.terms.size(); ++i) {
      if (p.terms[i] <= steady_->term) continue;
      steady_->reported_stay = true;
      out->push_back(fmt::format(
          "liveness: term rose while a steady leader was heard by a healthy majority: n{} "
          "reached term {}, leader {} was at term {} with {} (steady since {}, during the "
          "faults)",
          i + 1, p.terms[i], NodeName(steady_->leader), steady_->term, Names(steady_->group),
          FormatDuration(steady_->calm_since)));
      break;
    }
  }
  // The leader's group: the healthy members that reach it and each other,
  // if they hold a majority of its voters.
  std::vector<raft::NodeId> group = LeaderGroup(p, connected, &p.voters);
  std::sort(group.begin(), group.end());
  if (group.empty()) {
    steady_.reset();
    return;
  }
  uint64_t to_group = 0;
  for (raft::NodeId id : group) to_group += p.writes_invoked[id - 1];
  if (!steady_ || steady_->leader != p.leader || steady_->term != p.leader_term ||
      steady_->group != group) {
    steady_ = Steady{p.leader, p.leader_term, group, p.now, to_group, p.writes_ok, false,
                     p.now, false, false};
    return;
  }
  Steady& s = *steady_;
  if (fault_changed) {
    s.calm_since = p.now;
    s.armed = false;
    s.reported_stay = false;
  } else if (options_.stay && !s.armed && !s.reported_stay &&
             p.now - s.calm_since >= options_.arm_delay) {
    // Arm only if nobody holds a higher term already.
    s.armed = std::all_of(p.terms.begin(), p.terms.end(), [&](uint64_t t) { return t <= s.term; });
    if (!s.armed) s.reported_stay = true;  // not until the next fault change
  }
  if (!s.reported_serve && p.now - s.since >= options_.serve_bound &&
      p.writes_ok == s.writes_ok && to_group >= s.writes_invoked + 2) {
    s.reported_serve = true;
    out->push_back(fmt::format(
        "liveness: steady leader acknowledged no client write: leader {} (term {}) with healthy "
        "majority {} acknowledged none of the {} client writes sent to them in {} (steady since "
        "{}, during the faults)",
        NodeName(s.leader), s.term, Names(s.group), to_group - s.writes_invoked,
        FormatDuration(p.now - s.since), FormatDuration(s.since)));
  }
}

}  // namespace raftlab::sim
