#include "sim/committed_log.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace raftlab::sim {
namespace {

constexpr size_t kViolationsMax = 5;

checker::KvChange ToChange(const mvcc::Record& record) {
  checker::KvChange c;
  c.is_delete = record.tombstone;
  c.key = record.kv.key();
  if (!record.tombstone) {
    c.value = record.kv.value();
    c.create_revision = record.kv.create_revision();
    c.version = record.kv.version();
    c.lease = record.kv.lease();
  }
  return c;
}

}  // namespace

void CommittedLog::Observe(raft::NodeId node, const mvcc::KvStore& kv, TimeNs now,
                           bool restarted) {
  int64_t& seen = seen_[node];
  // A restart may restore an older state; what it applies next is compared
  // again from there. Otherwise only new revisions are looked at, and a
  // member's revision never goes back while it runs: applying entries and
  // installing a snapshot (always of a later index) only move it forward.
  if (!restarted && kv.current_revision() < seen && violations_.size() < kViolationsMax) {
    violations_.push_back(fmt::format("mvcc: member {} revision went back from {} to {}", node,
                                      seen, kv.current_revision()));
  }
  if (restarted || kv.current_revision() < seen) seen = kv.current_revision();
  const int64_t from = std::max({seen + 1, kv.compact_revision() + 1, int64_t{2}});
  const auto& records = kv.records();
  int64_t revision = 0;
  std::vector<checker::KvChange> changes;
  for (auto it = records.lower_bound(mvcc::Revision{from, 0});
       it != records.end() && it->first.main <= kv.current_revision(); ++it) {
    if (it->first.main != revision && !changes.empty()) {
      Compare(node, revision, std::exchange(changes, {}), now);
    }
    revision = it->first.main;
    changes.push_back(ToChange(it->second));
  }
  if (!changes.empty()) Compare(node, revision, std::move(changes), now);
  seen = kv.current_revision();  // at most R already (reset above otherwise)
}

void CommittedLog::Compare(raft::NodeId node, int64_t revision,
                           std::vector<checker::KvChange> changes, TimeNs now) {
  auto [it, inserted] = history_.revisions.try_emplace(revision);
  if (inserted) {
    it->second.first_applied_ns = now;
    it->second.changes = std::move(changes);
    history_.final_revision = std::max(history_.final_revision, revision);
    return;
  }
  if (it->second.changes == changes || violations_.size() >= kViolationsMax) return;
  const checker::KvChange& theirs = it->second.changes.front();
  const checker::KvChange& ours = changes.front();
  violations_.push_back(fmt::format(
      "mvcc: member {} applied revision {} as {} {} \"{}\" ({} changes), but it was first "
      "applied as {} {} \"{}\" ({} changes)",
      node, revision, ours.is_delete ? "DELETE" : "PUT", ours.key, ours.value, changes.size(),
      theirs.is_delete ? "DELETE" : "PUT", theirs.key, theirs.value,
      it->second.changes.size()));
}

}  // namespace raftlab::sim
