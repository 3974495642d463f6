#include "core/watch/watchable_store.h"

#include <algorithm>
#include <utility>

#include "core/base/check.h"

namespace raftlab::watch {

using etcdserverpb::WatchCreateRequest;
using etcdserverpb::WatchResponse;

WatchableStore::WatchableStore(mvcc::KvStore* kv, WatchOptions options)
    : kv_(kv), options_(options) {
  CHECK(kv_ != nullptr);
  CHECK_GE(options_.fragment_bytes, 1u);
  CHECK_GE(options_.batch_revisions_max, 1);
}

mvcc::Outcome<etcdserverpb::PutResponse> WatchableStore::Put(
    const etcdserverpb::PutRequest& req) {
  auto out = kv_->Put(req);
  Notify(kv_->TakeChanges());
  return out;
}

mvcc::Outcome<etcdserverpb::DeleteRangeResponse> WatchableStore::DeleteRange(
    const etcdserverpb::DeleteRangeRequest& req) {
  auto out = kv_->DeleteRange(req);
  Notify(kv_->TakeChanges());
  return out;
}

mvcc::Outcome<etcdserverpb::TxnResponse> WatchableStore::Txn(
    const etcdserverpb::TxnRequest& req) {
  auto out = kv_->Txn(req);
  Notify(kv_->TakeChanges());
  return out;
}

mvcc::Outcome<etcdserverpb::CompactionResponse> WatchableStore::Compact(
    const etcdserverpb::CompactionRequest& req) {
  // Unsynced watchers below the new C are canceled at the next SyncWatchers.
  return kv_->Compact(req);
}

WatchResponse WatchableStore::NewResponse(int64_t watch_id) const {
  WatchResponse resp;
  resp.mutable_header()->set_revision(kv_->current_revision());
  resp.set_watch_id(watch_id);
  return resp;
}

mvccpb::Event WatchableStore::WithPrevKv(const mvccpb::Event& event) const {
  mvccpb::Event out = event;
  const int64_t before = event.kv().mod_revision() - 1;
  // S7.4: the KeyValue at revision - 1, unless compacted away or absent.
  if (before >= 1 && before >= kv_->compact_revision()) {
    const mvccpb::KeyValue* prev = kv_->Get(event.kv().key(), before);
    if (prev != nullptr) *out.mutable_prev_kv() = *prev;
  }
  return out;
}

void WatchableStore::Notify(std::vector<mvccpb::Event> changes) {
  if (changes.empty()) return;
  const int64_t revision = kv_->current_revision();
  std::map<int64_t, std::vector<mvccpb::Event>> per_watcher;
  for (const mvccpb::Event& event : changes) {
    CHECK_EQ(event.kv().mod_revision(), revision);
    for (int64_t id : synced_.Stab(event.kv().key())) {
      Watcher& w = watchers_.at(id);
      CHECK(w.synced);
      if (w.start_revision > revision) continue;  // a future watch: not yet
      per_watcher[id].push_back(w.prev_kv ? WithPrevKv(event) : event);
    }
  }
  for (auto& [id, events] : per_watcher) {
    CHECK(!events.empty());
    Deliver(&watchers_.at(id), events);
  }
}

void WatchableStore::Deliver(Watcher* w, const std::vector<mvccpb::Event>& events) {
  CHECK(!events.empty());
  const int64_t first = events.front().kv().mod_revision();
  const int64_t last = events.back().kv().mod_revision();
  CHECK_GE(first, w->start_revision);  // never an older event (S7.1)
  // Ordered, unique (S7.2) -- except under B24, whose whole point is to
  // send old revisions again (see MarkAllUnsynced); the checkers catch it.
  if (!bugs_.Has(Bug::kWatchReplayAfterSnapshot)) {
    CHECK_GT(first, w->last_sent_revision);
  }
  WatchResponse whole = NewResponse(w->id);
  for (const mvccpb::Event& event : events) {
    const bool is_put = event.type() == mvccpb::Event::PUT;
    if (is_put && w->no_put) continue;
    if (!is_put && w->no_delete) continue;
    *whole.add_events() = event;
  }
  if (whole.events().empty()) return;  // S7.5: a response left empty is not sent
  std::vector<WatchResponse>& queue = outbox_[w->id];
  const size_t limit = options_.fragment_bytes;
  if (!w->fragment || whole.events_size() < 2 || whole.ByteSizeLong() < limit) {
    queue.push_back(std::move(whole));
  } else {
    // etcd's sendFragments: fill a piece until one more event would bring a
    // piece of two or more events to the limit.
    int i = 0;
    while (i < whole.events_size()) {
      WatchResponse piece = NewResponse(w->id);
      piece.set_fragment(true);
      *piece.add_events() = whole.events(i++);
      while (i < whole.events_size()) {
        *piece.add_events() = whole.events(i);
        if (piece.ByteSizeLong() >= limit) {
          piece.mutable_events()->RemoveLast();
          break;
        }
        ++i;
      }
      piece.set_fragment(i < whole.events_size());
      queue.push_back(std::move(piece));
    }
  }
  w->last_sent_revision = last;
}

bool IsEmptyRange(const etcdserverpb::WatchCreateRequest& req) {
  const std::string& end = req.range_end();
  if (end.empty() || end == std::string(1, '\0')) return false;
  // etcd reads an empty key as "\0", the smallest key.
  const std::string key = req.key().empty() ? std::string(1, '\0') : req.key();
  return key >= end;
}

void WatchableStore::SendBookmark(Watcher* w) {
  CHECK(w->synced);  // S7.6: only when caught up
  CHECK_GE(kv_->current_revision(), w->last_sent_revision);
  outbox_[w->id].push_back(NewResponse(w->id));
  w->last_sent_revision = kv_->current_revision();
}

void WatchableStore::RequestProgress() {
  for (auto& [id, w] : watchers_) {
    if (w.synced) SendBookmark(&w);
  }
}

void WatchableStore::TickProgress() {
  for (auto& [id, w] : watchers_) {
    if (w.synced && w.progress_notify) SendBookmark(&w);
  }
}

std::vector<WatchResponse> WatchableStore::Drain(int64_t watch_id) {
  auto it = outbox_.find(watch_id);
  if (it == outbox_.end()) return {};
  std::vector<WatchResponse> out = std::move(it->second);
  outbox_.erase(it);
  return out;
}

std::map<int64_t, std::vector<WatchResponse>> WatchableStore::DrainAll() {
  std::map<int64_t, std::vector<WatchResponse>> out = std::move(outbox_);
  outbox_.clear();
  return out;
}

}  // namespace raftlab::watch
