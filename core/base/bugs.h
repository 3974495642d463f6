// Bugs: the bug zoo's switchable mutations (docs/bugzoo.md, BUGZOO.md).
//
// Each Bug recreates one documented consensus, lease, watch or MVCC bug as
// the smallest change to raftlab's core. All are off by default; a scenario
// (`bugs: [NAME]`) or the command line (`--bug NAME`) turns them on. A
// BugSet travels inside raft::Config and server::ServerConfig, so code that
// plants a bug reads `config.bugs.Has(Bug::kX)` at the exact spot the bug
// lives. The names are a stable contract: scenarios and scripts use them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace raftlab {

enum class Bug : uint8_t {
  kCommitPrevTerm,            // B01
  kFollowerCommitUnverified,  // B02
  kConfChangeNoGuard,         // B03
  kCampaignUnappliedConf,     // B04
  kLearnerRefusesVote,        // B05
  kReadIndexBeforeCommit,     // B06
  kLeaderLocalRead,           // B07
  kLeaseReadNoCheckQuorum,    // B09
  kAckBeforeFsync,            // B10
  kApplyIndexNotAtomic,       // B11
  kNoPreVote,                 // B12
  kPreVoteIgnoresLeader,      // B13
  kPreVoteStaleTerm,          // B14
  kPreCandidateKeepsLeader,   // B15
  kInflightStall,             // B17
  kUncommittedSizeLeak,       // B18
  kDoubleCountVotes,          // B20
  kSameElectionSeed,          // B21
  kLeaseDeposedPrimary,       // B22
  kWatchReplayAfterSnapshot,  // B24
  kCompactDropsDelete,        // B25
  kRevisionFromKeys,          // B26
  kMatchRegress,              // B27
  kHeartbeatUncappedCommit,   // B28
  kCount,
};

struct BugInfo {
  Bug bug;
  const char* name;     // e.g. "commit-prev-term"
  const char* bnumber;  // e.g. "B01"
  const char* summary;  // one line
};

// Every bug, in enum order.
std::span<const BugInfo> AllBugs();
const BugInfo& InfoOf(Bug bug);
std::optional<Bug> BugFromName(std::string_view name);

class BugSet {
 public:
  bool Has(Bug bug) const { return (bits_ >> static_cast<unsigned>(bug)) & 1U; }
  void Add(Bug bug) { bits_ |= uint64_t{1} << static_cast<unsigned>(bug); }
  bool empty() const { return bits_ == 0; }
  bool operator==(const BugSet&) const = default;
  // Comma-separated names in enum order ("" when empty).
  std::string ToString() const;

 private:
  uint64_t bits_ = 0;
  static_assert(static_cast<unsigned>(Bug::kCount) <= 64);
};

}  // namespace raftlab
