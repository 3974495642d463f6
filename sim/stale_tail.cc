#include "sim/stale_tail.h"

#include <fmt/format.h>

namespace raftlab::sim {

std::optional<std::string> CheckStaleTail(const raft::Message& m, const raft::RaftLog& follower,
                                          const raft::RaftLog& leader) {
  const uint64_t last_new = m.index + m.entries.size();
  for (uint64_t i = last_new + 1; i <= follower.LastIndex(); ++i) {
    const raft::StorageResult<uint64_t> ft = follower.Term(i);
    if (!ft) continue;  // compacted by the follower: committed, judged elsewhere
    const raft::StorageResult<uint64_t> lt = leader.Term(i);
    if (!lt && lt.error() == raft::StorageError::kCompacted) continue;
    if (lt && *lt == *ft) continue;
    return fmt::format("stale tail kept after an accepted append: node {} accepted {} entries "
                       "after {}/{} from node {} (term {}) but holds {}/{}, which the leader {}",
                       m.to, m.entries.size(), m.log_term, m.index, m.from, m.term, *ft, i,
                       lt ? fmt::format("has as {}/{}", *lt, i) : std::string("lacks"));
  }
  return std::nullopt;
}

}  // namespace raftlab::sim
