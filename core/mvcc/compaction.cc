#include "core/mvcc/compaction.h"

#include <set>

#include "core/base/check.h"

namespace raftlab::mvcc {

Outcome<etcdserverpb::CompactionResponse> KvStore::Compact(
    const etcdserverpb::CompactionRequest& req) {
  Outcome<etcdserverpb::CompactionResponse> out;
  const int64_t c = req.revision();
  if (c <= compact_revision_) {
    out.status = KvStatus::kCompacted;
    return out;
  }
  if (c > current_revision_) {
    out.status = KvStatus::kFutureRev;
    return out;
  }
  compact_revision_ = c;
  // Bug zoo B25 (compact-drops-delete): etcd before the fix pruned a
  // tombstone whose revision equals c, so a watch from c (still legal, as
  // c >= C) silently misses that DELETE (etcd #18089).
  const bool keep_tombstone_at_c = !bugs_.Has(Bug::kCompactDropsDelete);
  const std::set<Revision> kept = index_.Compact(c, keep_tombstone_at_c);
  // Every record at or below c that the index no longer references goes.
  size_t kept_seen = 0;
  for (auto it = records_.begin(); it != records_.end() && it->first.main <= c;) {
    if (kept.contains(it->first)) {
      ++kept_seen;
      ++it;
    } else {
      Unpersist(it->first, it->second);
      it = records_.erase(it);
    }
  }
  PersistCompact(c);
  CHECK_EQ(kept_seen, kept.size());
  CHECK_LE(compact_revision_, current_revision_);
  out.response.mutable_header()->set_revision(current_revision_);
  return out;
}

}  // namespace raftlab::mvcc
