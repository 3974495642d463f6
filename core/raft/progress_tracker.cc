#include "core/raft/progress_tracker.h"

#include "core/base/check.h"

namespace raftlab::raft {

std::string TrackerConfig::String() const {
  std::string out = "voters=" + voters.String();
  if (!learners.empty()) out += " learners=" + MajorityConfig(learners).String();
  if (!learners_next.empty()) out += " learners_next=" + MajorityConfig(learners_next).String();
  if (auto_leave) out += " autoleave";
  return out;
}

ConfState ProgressTracker::GetConfState() const {
  ConfState cs;
  cs.voters.assign(config.voters.incoming.ids().begin(), config.voters.incoming.ids().end());
  cs.voters_outgoing.assign(config.voters.outgoing.ids().begin(),
                            config.voters.outgoing.ids().end());
  cs.learners.assign(config.learners.begin(), config.learners.end());
  cs.learners_next.assign(config.learners_next.begin(), config.learners_next.end());
  cs.auto_leave = config.auto_leave;
  return cs;
}

bool ProgressTracker::IsSingleton() const {
  return config.voters.incoming.size() == 1 && config.voters.outgoing.empty();
}

uint64_t ProgressTracker::Committed() const {
  return config.voters.CommittedIndex([this](NodeId id) -> std::optional<uint64_t> {
    auto it = progress.find(id);
    if (it == progress.end()) return std::nullopt;
    return it->second.match;
  });
}

bool ProgressTracker::QuorumActive() const {
  std::map<NodeId, bool> active;
  for (const auto& [id, pr] : progress) {
    if (!pr.is_learner) active[id] = pr.recent_active;
  }
  return config.voters.Vote(active) == VoteResult::kWon;
}

std::vector<NodeId> ProgressTracker::VoterNodes() const {
  const std::set<NodeId> ids = config.voters.Ids();
  return std::vector<NodeId>(ids.begin(), ids.end());
}

std::vector<NodeId> ProgressTracker::LearnerNodes() const {
  return std::vector<NodeId>(config.learners.begin(), config.learners.end());
}

void ProgressTracker::RecordVote(NodeId id, bool granted) {
  votes.emplace(id, granted);  // emplace keeps the first vote of each node
}

VoteResult ProgressTracker::TallyVotes(size_t* granted, size_t* rejected) const {
  *granted = 0;
  *rejected = 0;
  for (const auto& [id, pr] : progress) {
    if (pr.is_learner) continue;
    auto it = votes.find(id);
    if (it == votes.end()) continue;
    if (it->second) {
      ++*granted;
    } else {
      ++*rejected;
    }
  }
  return config.voters.Vote(votes);
}

}  // namespace raftlab::raft
