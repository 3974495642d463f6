#include "core/raft/progress_invariants.h"

#include <fmt/format.h>

#include "core/raft/raft.h"

namespace raftlab::raft {

std::vector<std::string> ProgressInvariants::Check(const Raft& r) {
  std::vector<std::string> out;
  if (r.state() != StateRole::kLeader) {
    leader_ = false;
    return out;
  }
  // A new term or configuration starts the bookkeeping afresh.
  const bool same = leader_ && term_ == r.term() && config_switches_ == r.config_switches();
  leader_ = true;
  term_ = r.term();
  config_switches_ = r.config_switches();
  if (!same) match_.clear();
  for (const auto& [id, pr] : r.tracker().progress) {
    if (id == r.id()) continue;
    if (pr.match >= pr.next) {
      out.push_back(fmt::format("match not below next: leader {} (term {}) tracks {} at match {}, "
                                "next {}",
                                r.id(), r.term(), id, pr.match, pr.next));
    }
    auto [it, inserted] = match_.try_emplace(id, pr.match);
    if (inserted) continue;
    if (pr.match < it->second) {
      out.push_back(fmt::format(
          "match moved back: leader {} (term {}) moved {}'s match from {} to {} (an "
          "acknowledgement cannot be taken back)",
          r.id(), r.term(), id, it->second, pr.match));
    }
    it->second = pr.match;
  }
  return out;
}

}  // namespace raftlab::raft
