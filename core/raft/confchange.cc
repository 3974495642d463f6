#include "core/raft/confchange.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::raft {
namespace {

tl::unexpected<std::string> Fail(std::string why) { return tl::unexpected<std::string>(why); }

bool IsJoint(const TrackerConfig& c) { return !c.voters.outgoing.empty(); }

size_t SymmetricDifference(const std::set<NodeId>& a, const std::set<NodeId>& b) {
  size_t n = 0;
  for (NodeId id : a) n += b.count(id) == 0 ? 1 : 0;
  for (NodeId id : b) n += a.count(id) == 0 ? 1 : 0;
  return n;
}

ChangeResult Checked(ConfigAndProgress cp) {
  std::string why = CheckConfigInvariants(cp);
  if (!why.empty()) return Fail(why);
  return cp;
}

}  // namespace

std::string CheckConfigInvariants(const ConfigAndProgress& cp) {
  const TrackerConfig& c = cp.config;
  for (NodeId id : c.voters.Ids()) {
    if (cp.progress.count(id) == 0) return "no progress for voter " + std::to_string(id);
  }
  for (NodeId id : c.learners) {
    auto it = cp.progress.find(id);
    if (it == cp.progress.end()) return "no progress for learner " + std::to_string(id);
    if (!it->second.is_learner) return "learner " + std::to_string(id) + " not marked learner";
    if (c.voters.Contains(id)) return std::to_string(id) + " is both learner and voter";
  }
  for (NodeId id : c.learners_next) {
    auto it = cp.progress.find(id);
    if (it == cp.progress.end()) return "no progress for next learner " + std::to_string(id);
    if (it->second.is_learner) return "next learner " + std::to_string(id) + " marked learner";
    if (!c.voters.outgoing.Contains(id)) {
      return "next learner " + std::to_string(id) + " is not an outgoing voter";
    }
  }
  for (const auto& [id, pr] : cp.progress) {
    const bool member = c.voters.Contains(id) || c.learners.count(id) != 0;
    if (!member) return "progress for non-member " + std::to_string(id);
  }
  if (!IsJoint(c)) {
    if (!c.learners_next.empty()) return "learners_next outside a joint config";
    if (c.auto_leave) return "auto_leave outside a joint config";
  }
  return "";
}

ConfigAndProgress Changer::Copy() const {
  return ConfigAndProgress{tracker_.config, tracker_.progress};
}

ChangeResult Changer::EnterJoint(bool auto_leave,
                                 const std::vector<ConfChangeSingle>& changes) const {
  ConfigAndProgress cp = Copy();
  if (std::string why = CheckConfigInvariants(cp); !why.empty()) return Fail(why);
  if (IsJoint(cp.config)) return Fail("config is already joint");
  if (cp.config.voters.incoming.empty()) return Fail("can't make a zero-voter config joint");
  cp.config.voters.outgoing = cp.config.voters.incoming;
  if (auto r = Apply(&cp, changes); !r) return Fail(r.error());
  cp.config.auto_leave = auto_leave;
  return Checked(std::move(cp));
}

ChangeResult Changer::LeaveJoint() const {
  ConfigAndProgress cp = Copy();
  if (std::string why = CheckConfigInvariants(cp); !why.empty()) return Fail(why);
  if (!IsJoint(cp.config)) return Fail("can't leave a non-joint config");
  for (NodeId id : cp.config.learners_next) {
    cp.config.learners.insert(id);
    cp.progress.at(id).is_learner = true;
  }
  cp.config.learners_next.clear();
  for (NodeId id : cp.config.voters.outgoing.ids()) {
    const bool voter = cp.config.voters.incoming.Contains(id);
    const bool learner = cp.config.learners.count(id) != 0;
    if (!voter && !learner) cp.progress.erase(id);
  }
  cp.config.voters.outgoing = MajorityConfig();
  cp.config.auto_leave = false;
  return Checked(std::move(cp));
}

ChangeResult Changer::Simple(const std::vector<ConfChangeSingle>& changes) const {
  ConfigAndProgress cp = Copy();
  if (std::string why = CheckConfigInvariants(cp); !why.empty()) return Fail(why);
  if (IsJoint(cp.config)) return Fail("can't apply simple config change in joint config");
  if (auto r = Apply(&cp, changes); !r) return Fail(r.error());
  const size_t changed = SymmetricDifference(tracker_.config.voters.incoming.ids(),
                                             cp.config.voters.incoming.ids());
  if (changed > 1) return Fail("more than one voter changed without entering joint config");
  return Checked(std::move(cp));
}

tl::expected<void, std::string> Changer::Apply(
    ConfigAndProgress* cp, const std::vector<ConfChangeSingle>& changes) const {
  for (const ConfChangeSingle& cc : changes) {
    if (cc.node_id == kNone) continue;  // etcd treats node 0 as a no-op
    switch (cc.type) {
      case ConfChangeType::kAddNode: MakeVoter(cp, cc.node_id); break;
      case ConfChangeType::kAddLearnerNode: MakeLearner(cp, cc.node_id); break;
      case ConfChangeType::kRemoveNode: Remove(cp, cc.node_id); break;
      case ConfChangeType::kUpdateNode: break;
    }
  }
  if (cp->config.voters.incoming.empty()) return tl::unexpected<std::string>("removed all voters");
  return {};
}

void Changer::MakeVoter(ConfigAndProgress* cp, NodeId id) const {
  auto it = cp->progress.find(id);
  if (it == cp->progress.end()) {
    InitProgress(cp, id, /*learner=*/false);
    return;
  }
  it->second.is_learner = false;
  cp->config.learners.erase(id);
  cp->config.learners_next.erase(id);
  cp->config.voters.incoming.mutable_ids().insert(id);
}

void Changer::MakeLearner(ConfigAndProgress* cp, NodeId id) const {
  auto it = cp->progress.find(id);
  if (it == cp->progress.end()) {
    InitProgress(cp, id, /*learner=*/true);
    return;
  }
  if (it->second.is_learner) return;
  // Remove as a voter first (keeping the progress), then add back as a learner.
  // A node still voting in the outgoing config cannot be a learner yet: it is
  // staged in learners_next until the joint config is left.
  Progress saved = it->second;  // Remove may erase it
  Remove(cp, id);
  cp->progress.insert_or_assign(id, std::move(saved));
  if (cp->config.voters.outgoing.Contains(id)) {
    cp->config.learners_next.insert(id);
  } else {
    cp->progress.at(id).is_learner = true;
    cp->config.learners.insert(id);
  }
}

void Changer::Remove(ConfigAndProgress* cp, NodeId id) const {
  if (cp->progress.count(id) == 0) return;
  cp->config.voters.incoming.mutable_ids().erase(id);
  cp->config.learners.erase(id);
  cp->config.learners_next.erase(id);
  // A node still in the outgoing config keeps its progress until it is left.
  if (!cp->config.voters.outgoing.Contains(id)) cp->progress.erase(id);
}

void Changer::InitProgress(ConfigAndProgress* cp, NodeId id, bool learner) const {
  if (learner) {
    cp->config.learners.insert(id);
  } else {
    cp->config.voters.incoming.mutable_ids().insert(id);
  }
  Progress pr(std::max<uint64_t>(last_index_, 1), tracker_.max_inflight(),
              tracker_.max_inflight_bytes(), learner);
  // A new member counts as active so check-quorum does not step the leader
  // down before the newcomer had a chance to answer.
  pr.recent_active = true;
  cp->progress.insert_or_assign(id, std::move(pr));
}

ChangeResult RestoreConfig(const ProgressTracker& empty_tracker, uint64_t last_index,
                           const ConfState& cs) {
  // The outgoing voters are added first, as a simple config; then the joint
  // step removes them and adds the incoming config, learners and next learners.
  std::vector<ConfChangeSingle> out;
  std::vector<ConfChangeSingle> in;
  for (NodeId id : cs.voters_outgoing) {
    out.push_back({ConfChangeType::kAddNode, id});
    in.push_back({ConfChangeType::kRemoveNode, id});
  }
  for (NodeId id : cs.voters) in.push_back({ConfChangeType::kAddNode, id});
  for (NodeId id : cs.learners) in.push_back({ConfChangeType::kAddLearnerNode, id});
  for (NodeId id : cs.learners_next) in.push_back({ConfChangeType::kAddLearnerNode, id});

  ProgressTracker tracker(empty_tracker.max_inflight(), empty_tracker.max_inflight_bytes());
  auto apply_one_by_one = [&](const std::vector<ConfChangeSingle>& ccs) -> ChangeResult {
    for (const ConfChangeSingle& cc : ccs) {
      ChangeResult r = Changer(tracker, last_index).Simple({cc});
      if (!r) return r;
      tracker.config = r->config;
      tracker.progress = r->progress;
    }
    return ConfigAndProgress{tracker.config, tracker.progress};
  };
  if (out.empty()) return apply_one_by_one(in);
  if (ChangeResult r = apply_one_by_one(out); !r) return r;
  return Changer(tracker, last_index).EnterJoint(cs.auto_leave, in);
}

std::string DescribeChanges(const std::vector<ConfChangeSingle>& changes) {
  std::string out;
  for (const ConfChangeSingle& cc : changes) {
    if (!out.empty()) out += " ";
    switch (cc.type) {
      case ConfChangeType::kAddNode: out += "v"; break;
      case ConfChangeType::kAddLearnerNode: out += "l"; break;
      case ConfChangeType::kRemoveNode: out += "r"; break;
      case ConfChangeType::kUpdateNode: out += "u"; break;
    }
    out += std::to_string(cc.node_id);
  }
  return out;
}

}  // namespace raftlab::raft
