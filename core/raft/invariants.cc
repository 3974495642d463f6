#include "core/raft/invariants.h"

#include <iterator>

#include <fmt/format.h>

#include "core/base/check.h"
#include "core/raft/raft.h"

namespace raftlab::raft {
namespace {

const Entry* EntryAt(const NodeView& n, uint64_t index) {
  if (index <= n.snapshot_index) return nullptr;
  const uint64_t k = index - n.snapshot_index - 1;
  if (k >= n.log.size()) return nullptr;
  return &n.log[k];
}

uint64_t LastIndex(const NodeView& n) { return n.snapshot_index + n.log.size(); }

// An entry for a violation message: its id and the first bytes of its
// payload, non-printable bytes escaped (payloads are encoded requests, and
// the messages end up in JSON reports that must stay valid UTF-8).
std::string Short(const Entry& e) {
  constexpr size_t kShown = 32;
  std::string text;
  for (size_t i = 0; i < e.data.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(e.data[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      text += static_cast<char>(c);
    } else {
      text += fmt::format("\\x{:02x}", c);
    }
  }
  if (e.data.size() > kShown) text += "...";
  return fmt::format("{}/{} \"{}\"", e.term, e.index, text);
}

}  // namespace

std::vector<std::string> Invariants::Check(const std::vector<NodeView>& nodes) {
  std::vector<std::string> out;
  for (const NodeView& n : nodes) {
    if (!n.up) continue;
    CheckElectionSafety(n, &out);
    CheckCommitted(n, &out);
  }
  for (const NodeView& n : nodes) {
    if (!n.up) continue;
    CheckLeaderCompleteness(n, &out);
    CheckDelta(n, &out);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      if (nodes[i].up && nodes[j].up) CheckLogMatching(nodes[i], nodes[j], &out);
    }
  }
  for (const NodeView& n : nodes) {
    previous_[n.id] = Previous{n.up, n.incarnation, n.term, n.vote, n.commit, n.applied, n.durable};
  }
  return out;
}

void Invariants::CheckElectionSafety(const NodeView& n, std::vector<std::string>* out) {
  if (n.role != StateRole::kLeader) return;
  auto [it, inserted] = leader_of_term_.emplace(n.term, n.id);
  if (!inserted && it->second != n.id) {
    out->push_back(fmt::format("election safety: nodes {} and {} were both leader in term {}",
                               it->second, n.id, n.term));
  }
}

void Invariants::CheckCommitted(const NodeView& n, std::vector<std::string>* out) {
  // Every entry at or below the node's commit index is committed; it must
  // agree with every other committed entry ever observed at that index.
  // Indices ascend, so one ordered walk replaces a lookup per entry.
  const uint64_t upto = std::min(n.commit, LastIndex(n));
  auto it = committed_.lower_bound(n.snapshot_index + 1);
  for (uint64_t i = n.snapshot_index + 1; i <= upto; ++i) {
    const Entry* e = EntryAt(n, i);
    CHECK(e != nullptr);
    if (it == committed_.end() || it->first != i) {
      it = std::next(committed_.emplace_hint(it, i, Committed{*e, n.term}));
      continue;
    }
    Committed& seen = it->second;
    ++it;
    seen.term_bound = std::min(seen.term_bound, n.term);
    if (!(seen.entry == *e)) {
      out->push_back(fmt::format("committed entry changed: index {} was {} and node {} now has "
                                 "{} committed", i, Short(seen.entry), n.id, Short(*e)));
    }
  }
}

void Invariants::CheckLeaderCompleteness(const NodeView& n, std::vector<std::string>* out) const {
  if (n.role != StateRole::kLeader) return;
  // A leader's log holds every entry committed in an earlier term (§5.4.1):
  // below its snapshot they are covered; above it they must be identical.
  for (auto it = committed_.upper_bound(n.snapshot_index); it != committed_.end(); ++it) {
    const auto& [index, committed] = *it;
    if (committed.term_bound >= n.term) continue;
    const Entry* mine = EntryAt(n, index);
    if (mine == nullptr) {
      out->push_back(fmt::format("leader completeness: leader {} (term {}) lacks committed entry "
                                 "{}", n.id, n.term, Short(committed.entry)));
      return;
    }
    if (!(*mine == committed.entry)) {
      out->push_back(fmt::format("leader completeness: leader {} (term {}) has {} where {} was "
                                 "committed", n.id, n.term, Short(*mine), Short(committed.entry)));
      return;
    }
  }
}

void Invariants::CheckDelta(const NodeView& n, std::vector<std::string>* out) const {
  auto it = previous_.find(n.id);
  if (it == previous_.end()) return;
  const Previous& p = it->second;
  // Durable state survives restarts and must only move forward.
  if (n.durable.term < p.durable.term) {
    out->push_back(fmt::format("node {}: durable term went back from {} to {}", n.id,
                               p.durable.term, n.durable.term));
  }
  if (n.durable.term == p.durable.term && p.durable.vote != kNone &&
      n.durable.vote != p.durable.vote) {
    out->push_back(fmt::format("node {}: voted for {} and then {} in term {}", n.id,
                               p.durable.vote, n.durable.vote, n.durable.term));
  }
  if (!p.up || p.incarnation != n.incarnation) return;  // volatile state restarted
  if (n.term < p.term) {
    out->push_back(fmt::format("node {}: term went back from {} to {}", n.id, p.term, n.term));
  }
  if (n.term == p.term && p.vote != kNone && n.vote != p.vote) {
    out->push_back(fmt::format("node {}: changed its vote from {} to {} in term {}", n.id, p.vote,
                               n.vote, n.term));
  }
  if (n.commit < p.commit) {
    out->push_back(fmt::format("node {}: commit went back from {} to {}", n.id, p.commit,
                               n.commit));
  }
  if (n.applied < p.applied) {
    out->push_back(fmt::format("node {}: applied went back from {} to {}", n.id, p.applied,
                               n.applied));
  }
}

void Invariants::CheckLogMatching(const NodeView& a, const NodeView& b,
                                  std::vector<std::string>* out) {
  // If two logs have an entry with the same index and term, they are
  // identical up to it (§5.3). Find the highest such index, then compare down.
  const uint64_t lo = std::max(a.snapshot_index, b.snapshot_index) + 1;
  const uint64_t hi = std::min(LastIndex(a), LastIndex(b));
  uint64_t match = 0;
  for (uint64_t i = hi; i >= lo && i > 0; --i) {
    if (EntryAt(a, i)->term == EntryAt(b, i)->term) {
      match = i;
      break;
    }
  }
  for (uint64_t i = lo; i <= match; ++i) {
    const Entry* x = EntryAt(a, i);
    const Entry* y = EntryAt(b, i);
    if (!(*x == *y)) {
      out->push_back(fmt::format("log matching: nodes {} and {} agree at index {} term {} but "
                                 "differ at index {}: {} vs {}", a.id, b.id, match,
                                 EntryAt(a, match)->term, i, Short(*x), Short(*y)));
      return;
    }
  }
}

std::vector<std::string> Invariants::RecordApplied(NodeId node, const Entry& entry) {
  auto [it, inserted] = applied_.emplace(entry.index, std::make_pair(node, entry));
  if (inserted || it->second.second == entry) return {};
  return {fmt::format("state machine safety: node {} applied {} at index {} but node {} applied "
                      "{}", node, Short(entry), entry.index, it->second.first,
                      Short(it->second.second))};
}

void ViewVolatileState(const Raft& r, NodeView* v) {
  v->term = r.term();
  v->vote = r.vote();
  v->role = r.state();
  v->commit = r.raft_log().committed();
  v->applied = r.raft_log().applied();
  v->snapshot_index = r.raft_log().FirstIndex() - 1;
}

}  // namespace raftlab::raft
