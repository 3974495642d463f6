// WatchableStore: creating, canceling and catching up watchers.
#include <algorithm>
#include <vector>

#include "core/base/check.h"
#include "core/watch/watchable_store.h"

namespace raftlab::watch {

using etcdserverpb::WatchCreateRequest;

CreateResult WatchableStore::Create(const WatchCreateRequest& req) {
  CreateResult out;
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
  auto resp = NewResponse(w->id);
  resp.set_canceled(true);
  resp.set_compact_revision(kv_->compact_revision());
  resp.set_cancel_reason("mvcc: required revision has been compacted");  // etcd's ErrCompacted
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
  // One pass over the history [low, high] for all unsynced watchers.
  std::map<int64_t, std::map<int64_t, std::vector<mvccpb::Event>>> per_watcher;
  const auto& records = kv_->records();
  for (auto it = records.lower_bound(mvcc::Revision{low, 0});
       it != records.end() && it->first.main <= high; ++it) {
    const mvcc::Record& record = it->second;
    mvccpb::Event event;
    event.set_type(record.tombstone ? mvccpb::Event::DELETE : mvccpb::Event::PUT);
    *event.mutable_kv() = record.kv;
    for (int64_t id : unsynced_.Stab(record.kv.key())) {
      const Watcher& w = watchers_.at(id);
      if (it->first.main < w.next_revision) continue;
      per_watcher[id][it->first.main].push_back(w.prev_kv ? WithPrevKv(event) : event);
    }
  }
  for (auto& [id, revisions] : per_watcher) {
    for (auto& [revision, events] : revisions) Deliver(&watchers_.at(id), revision, events);
  }
  std::vector<int64_t> caught_up;
  for (auto& [id, w] : watchers_) {
    if (w.synced || w.next_revision > high + 1) continue;
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
