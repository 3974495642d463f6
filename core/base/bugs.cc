#include "core/base/bugs.h"

#include <array>

#include "core/base/check.h"

namespace raftlab {
namespace {

constexpr std::array<BugInfo, static_cast<size_t>(Bug::kCount)> kBugs{{
    {Bug::kCommitPrevTerm, "commit-prev-term", "B01",
     "leader commits an entry of an earlier term by counting replicas"},
    {Bug::kFollowerCommitUnverified, "follower-commit-unverified", "B02",
     "follower advances commit past the prefix the append verified"},
    {Bug::kConfChangeNoGuard, "conf-change-no-guard", "B03",
     "a new leader may propose a conf change before committing in its term"},
    {Bug::kCampaignUnappliedConf, "campaign-unapplied-conf", "B04",
     "a node campaigns with committed but unapplied conf changes"},
    {Bug::kLearnerRefusesVote, "learner-refuses-vote", "B05",
     "a node that believes it is a learner rejects vote requests"},
    {Bug::kReadIndexBeforeCommit, "read-index-before-commit", "B06",
     "a new leader answers ReadIndex before committing in its term"},
    {Bug::kLeaderLocalRead, "leader-local-read", "B07",
     "a leader serves linearizable reads from local state without ReadIndex"},
    {Bug::kLeaseReadNoCheckQuorum, "lease-read-no-check-quorum", "B09",
     "a leader takes its leadership as the read lease, as etcd does"},
    {Bug::kAckBeforeFsync, "ack-before-fsync", "B10",
     "messages and acknowledgements leave before the Ready is durable"},
    {Bug::kApplyIndexNotAtomic, "apply-index-not-atomic", "B11",
     "the applied index is recorded apart from the applied state"},
    {Bug::kNoPreVote, "no-pre-vote", "B12",
     "pre-vote off: a rejoining node's term disrupts a healthy leader"},
    {Bug::kPreVoteIgnoresLeader, "pre-vote-ignores-leader", "B13",
     "followers grant pre-votes although they hear from a leader"},
    {Bug::kPreVoteStaleTerm, "pre-vote-stale-term", "B14",
     "pre-vote rejections carry the voter's own (lower) term"},
    {Bug::kPreCandidateKeepsLeader, "pre-candidate-keeps-leader", "B15",
     "a pre-candidate keeps believing in its old leader"},
    {Bug::kInflightStall, "inflight-stall", "B17",
     "a full in-flight window sends nothing and is never retried"},
    {Bug::kUncommittedSizeLeak, "uncommitted-size-leak", "B18",
     "uncommitted size is not released on commit; proposals drop forever"},
    {Bug::kDoubleCountVotes, "double-count-votes", "B20",
     "votes are tallied as a counter, so duplicates count twice"},
    {Bug::kSameElectionSeed, "same-election-seed", "B21",
     "every node draws election timeouts from the same seed"},
    {Bug::kLeaseDeposedPrimary, "lease-deposed-primary", "B22",
     "a deposed leader keeps acting as lease primary"},
    {Bug::kWatchReplayAfterSnapshot, "watch-replay-after-snapshot", "B24",
     "after installing a snapshot, watchers replay old revisions"},
    {Bug::kCompactDropsDelete, "compact-drops-delete", "B25",
     "compacting at a delete's revision drops the tombstone watchers need"},
    {Bug::kRevisionFromKeys, "revision-from-keys", "B26",
     "on restore the current revision is derived from surviving keys"},
    {Bug::kMatchRegress, "match-regress", "B27",
     "a reordered append response moves a follower's match backwards"},
    {Bug::kHeartbeatUncappedCommit, "heartbeat-uncapped-commit", "B28",
     "heartbeats carry the leader's commit beyond the follower's match"},
}};

}  // namespace

std::span<const BugInfo> AllBugs() { return kBugs; }

const BugInfo& InfoOf(Bug bug) {
  const auto i = static_cast<size_t>(bug);
  CHECK_LT(i, kBugs.size());
  CHECK(kBugs[i].bug == bug);
  return kBugs[i];
}

std::optional<Bug> BugFromName(std::string_view name) {
  for (const BugInfo& info : kBugs) {
    if (name == info.name) return info.bug;
  }
  return std::nullopt;
}

std::string BugSet::ToString() const {
  std::string out;
  for (const BugInfo& info : kBugs) {
    if (!Has(info.bug)) continue;
    if (!out.empty()) out += ",";
    out += info.name;
  }
  return out;
}

}  // namespace raftlab
