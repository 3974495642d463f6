// WatchableStore: creating, canceling and catching up watchers.
#include <algorithm>
#include <vector>

#include "core/base/check.h"
#include "core/watch/watchable_store.h"

namespace raftlab::watch {

using etcdserverpb::WatchCreateRequest;

CreateResult WatchableStore::Create(const WatchCreateRequest& req) {
  CreateResult out;
  if (IsEmptyRange(req)) {  // checked first, as in etcd's watchStream.Watch
    out.status = WatchStatus::kEmptyRange;
    return out;
  }
  int64_t id = req.watch_id();
  if (id != 0 && watchers_.contains(id)) {
    out.status = WatchStatus::kWatchIdExists;
    return out;
  }
  if (id == 0) {
    while (watchers_.contains(next_auto_id_)) ++next_auto_id_;
    id = next_auto_id_++;
  }
  const int64_t current = kv_->current_revision();
  Watcher w;
  w.id = id;
  w.range = mvcc::KeyRange::FromRequest(req.key(), req.range_end());
  w.start_revision = req.start_revision() > 0 ? req.start_revision() : current + 1;
  w.prev_kv = req.prev_kv();
  w.progress_notify = req.progress_notify();
  w.fragment = req.fragment();
  for (int filter : req.filters()) {
    if (filter == WatchCreateRequest::NOPUT) w.no_put = true;
    if (filter == WatchCreateRequest::NODELETE) w.no_delete = true;
  }
  w.next_revision = w.start_revision;
  w.synced = w.start_revision > current;
  auto created = NewResponse(id);
  created.set_created(true);
  outbox_[id].push_back(std::move(created));
  out.watch_id = id;
  auto [it, inserted] = watchers_.emplace(id, std::move(w));
  CHECK(inserted);
  Watcher& stored = it->second;
  (stored.synced ? synced_ : unsynced_).Insert(id, stored.range);
  // S7.1: a start below C is canceled at once.
  if (stored.start_revision < kv_->compact_revision()) CancelCompacted(&stored);
  return out;
}

void WatchableStore::Remove(int64_t watch_id) {
  auto it = watchers_.find(watch_id);
  CHECK(it != watchers_.end());
  (it->second.synced ? synced_ : unsynced_).Erase(watch_id);
  watchers_.erase(it);
  CHECK(!synced_.Contains(watch_id));
}

void WatchableStore::CancelCompacted(Watcher* w) {
  CHECK(!w->synced);
  CHECK_LT(w->next_revision, kv_->compact_revision());
  // etcd 3.4's shape: header revision 0, no cancel reason; clients read
  // compact_revision != 0 as "required revision has been compacted".
  auto resp = NewResponse(w->id);
  resp.mutable_header()->set_revision(0);
  resp.set_canceled(true);
  resp.set_compact_revision(kv_->compact_revision());
  outbox_[w->id].push_back(std::move(resp));
  Remove(w->id);
}

WatchStatus WatchableStore::Cancel(int64_t watch_id) {
  if (!watchers_.contains(watch_id)) return WatchStatus::kNotFound;
  auto resp = NewResponse(watch_id);
  resp.set_canceled(true);
  outbox_[watch_id].push_back(std::move(resp));
  Remove(watch_id);
  return WatchStatus::kOk;
}

int64_t WatchableStore::CancelCompactedUnsynced() {
  std::vector<int64_t> doomed;
  int64_t low = kv_->current_revision() + 1;
  for (const auto& [id, w] : watchers_) {
    if (w.synced) continue;
    if (w.next_revision < kv_->compact_revision()) {
      doomed.push_back(id);
    } else {
      low = std::min(low, w.next_revision);
    }
  }
  for (int64_t id : doomed) CancelCompacted(&watchers_.at(id));
  return low;
}

void WatchableStore::SyncWatchers() {
  if (unsynced_.size() == 0) return;
  const int64_t current = kv_->current_revision();
  const int64_t low = CancelCompactedUnsynced();
  int64_t high = current;
  if (options_.sync_revisions_max > 0) {
    high = std::min(high, low + options_.sync_revisions_max - 1);
  }
  CHECK_LE(high, current);
  if (low <= current) CHECK_LE(low, high);
  // One pass over the history [low, high] for all unsynced watchers; each
  // gets one batch of up to batch_revisions_max revisions (etcd's
  // eventBatch), and a watcher with more left resumes from there next time.
  struct Batch {
    std::vector<mvccpb::Event> events;
    int64_t revisions = 0;
    int64_t more = 0;  // the first revision left out, if any
  };
  std::map<int64_t, Batch> batches;
  const auto& records = kv_->records();
  for (auto it = records.lower_bound(mvcc::Revision{low, 0});
       it != records.end() && it->first.main <= high; ++it) {
    const mvcc::Record& record = it->second;
    const int64_t rev = it->first.main;
    mvccpb::Event event;
    event.set_type(record.tombstone ? mvccpb::Event::DELETE : mvccpb::Event::PUT);
    *event.mutable_kv() = record.kv;
    for (int64_t id : unsynced_.Stab(record.kv.key())) {
      const Watcher& w = watchers_.at(id);
      if (rev < w.next_revision) continue;
      Batch& b = batches[id];
      if (b.more != 0) continue;
      if (b.events.empty() || rev > b.events.back().kv().mod_revision()) {
        if (b.revisions == options_.batch_revisions_max) {
          b.more = rev;
          continue;
        }
        ++b.revisions;
      }
      b.events.push_back(w.prev_kv ? WithPrevKv(event) : event);
    }
  }
  for (auto& [id, b] : batches) Deliver(&watchers_.at(id), b.events);
  std::vector<int64_t> caught_up;
  for (auto& [id, w] : watchers_) {
    if (w.synced || w.next_revision > high + 1) continue;
    auto b = batches.find(id);
    if (b != batches.end() && b->second.more != 0) {
      w.next_revision = b->second.more;
      continue;
    }
    w.next_revision = high + 1;
    if (w.next_revision > current) caught_up.push_back(id);
  }
  for (int64_t id : caught_up) {
    Watcher& w = watchers_.at(id);
    unsynced_.Erase(id);
    w.synced = true;
    synced_.Insert(id, w.range);
  }
  CHECK_EQ(synced_.size() + unsynced_.size(), watchers_.size());
}

void WatchableStore::MarkAllUnsynced() {
  const int64_t current = kv_->current_revision();
  for (auto& [id, w] : watchers_) {
    if (!w.synced) continue;
    synced_.Erase(id);
    w.synced = false;
    w.next_revision = std::max(w.start_revision, current + 1);
    if (bugs_.Has(Bug::kWatchReplayAfterSnapshot)) {
      // Bug zoo B24 (watch-replay-after-snapshot): forgets how far the
      // watcher got, so it catches up from its original start revision and
      // everything already delivered is sent again (etcd #15271).
      w.next_revision = w.start_revision;
    }
    unsynced_.Insert(id, w.range);
  }
  CHECK_EQ(synced_.size(), 0u);
  CHECK_EQ(unsynced_.size(), watchers_.size());
}

}  // namespace raftlab::watch
