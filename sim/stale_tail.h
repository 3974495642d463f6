// The stale-tail check: once a follower accepts an append from the leader of
// its term, every entry it holds beyond the append's last index is the
// leader's. etcd's protocol guarantees it (the rejection hint lands the
// first accepted append exactly where the logs diverge, and that append is
// never empty), and it is what makes a follower's commit of
// min(leader commit, last new index) the only safe choice: where it failed,
// bug zoo B02 (follower-commit-unverified) would commit a stale entry.
// docs/bugzoo.md argues why it cannot fail; this check measures it.
#pragma once

#include <optional>
#include <string>

#include "core/raft/raft_log.h"
#include "core/raft/types.h"

namespace raftlab::sim {

// REQUIRES: `follower` just accepted `m` (a MsgApp of the leader whose log
// is `leader`, both in m.term). Returns what is wrong, if anything.
std::optional<std::string> CheckStaleTail(const raft::Message& m, const raft::RaftLog& follower,
                                          const raft::RaftLog& leader);

}  // namespace raftlab::sim
