// WatchableStore: etcd v3 watch over a KvStore (SEMANTICS.md S7), pure.
//
// Contract:
// - Writes go through Put/DeleteRange/Txn/Compact here (or the caller hands
//   each write's changes to Notify), so watchers see every change.
// - A watcher is *synced* when it has been sent every matching event up to
//   the store's R; synced watchers are notified as writes happen, found by an
//   interval index over their key ranges. An *unsynced* watcher (created with
//   a start revision <= R) catches up from the store's history when the
//   caller runs SyncWatchers, then joins the synced group.
// - Events are delivered per watcher in (revision, sub) order, each exactly
//   once. A synced watcher gets one response per revision (Atomic). Catching
//   up, a watcher gets the events of up to batch_revisions_max revisions in
//   one response, as etcd's syncWatchers sends them.
// - With `fragment`, a response of two or more events whose encoding
//   reaches fragment_bytes is split, as etcd's sendFragments splits it, into
//   consecutive responses below that size (or of one event), all but the
//   last with fragment = true.
// - A start revision below C (at creation, or while catching up) cancels the
//   watch with compact_revision = C (and, as in etcd, header revision 0 and
//   no cancel reason). A future start revision receives nothing below it
//   (etcd #20221). A range whose end is not above its key is refused.
// - Bookmarks (progress responses, no events) go only to synced watchers and
//   carry R, which is >= every revision already sent on that watch.
// - Output is a queue of WatchResponse per watch id that the caller drains;
//   responses carry header.revision = R at the time they are queued.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/base/bugs.h"
#include "core/mvcc/kv_store.h"
#include "core/watch/interval_index.h"
#include "core/watch/watcher.h"
#include "rpc.pb.h"

namespace raftlab::watch {

enum class WatchStatus { kOk, kWatchIdExists, kNotFound, kEmptyRange };

// etcd's --max-request-bytes default plus its 512 KiB allowance for gRPC's
// framing: the size at which etcd 3.4 fragments a watch response.
inline constexpr size_t kDefaultFragmentBytes = 1572864 + 524288;

struct WatchOptions {
  size_t fragment_bytes = kDefaultFragmentBytes;  // see the contract above
  int64_t sync_revisions_max = 0;     // revisions replayed per SyncWatchers; 0: all
  int64_t batch_revisions_max = 1000;  // etcd's watchBatchMaxRevs
};

// etcd's check before a watch is created: a range end (other than "\0",
// meaning every key from `key` on) must be above the key.
bool IsEmptyRange(const etcdserverpb::WatchCreateRequest& req);

struct CreateResult {
  WatchStatus status = WatchStatus::kOk;
  int64_t watch_id = 0;
};

class WatchableStore {
 public:
  // `kv` is not owned and must outlive this object.
  explicit WatchableStore(mvcc::KvStore* kv, WatchOptions options = {});
  // Planted bugs (the bug zoo); empty in every correct run.
  void set_bugs(BugSet bugs) { bugs_ = bugs; }

  // Writes, forwarded to the store; their changes are then delivered.
  mvcc::Outcome<etcdserverpb::PutResponse> Put(const etcdserverpb::PutRequest& req);
  mvcc::Outcome<etcdserverpb::DeleteRangeResponse> DeleteRange(
      const etcdserverpb::DeleteRangeRequest& req);
  mvcc::Outcome<etcdserverpb::TxnResponse> Txn(const etcdserverpb::TxnRequest& req);
  mvcc::Outcome<etcdserverpb::CompactionResponse> Compact(
      const etcdserverpb::CompactionRequest& req);
  // Delivers the changes the store made at its current revision (for
  // callers that write to the KvStore directly). A no-op for no changes.
  void Notify(std::vector<mvccpb::Event> changes);

  CreateResult Create(const etcdserverpb::WatchCreateRequest& req);
  WatchStatus Cancel(int64_t watch_id);
  // Replays history to unsynced watchers (up to sync_revisions_max revisions).
  void SyncWatchers();
  // Before the KvStore's contents are replaced (snapshot install): every
  // synced watcher has seen all events up to the current R, so it becomes
  // unsynced from R+1 and catches up from the new contents (or is canceled
  // as compacted if the new C is above that).
  void MarkAllUnsynced();
  // A bookmark to every synced watcher (WatchProgressRequest).
  void RequestProgress();
  // A bookmark to every synced watcher that asked for progress_notify.
  void TickProgress();

  std::vector<etcdserverpb::WatchResponse> Drain(int64_t watch_id);
  std::map<int64_t, std::vector<etcdserverpb::WatchResponse>> DrainAll();

  const mvcc::KvStore& kv() const { return *kv_; }
  size_t synced_count() const { return synced_.size(); }
  size_t unsynced_count() const { return unsynced_.size(); }
  bool Exists(int64_t watch_id) const { return watchers_.contains(watch_id); }

 private:
  etcdserverpb::WatchResponse NewResponse(int64_t watch_id) const;
  mvccpb::Event WithPrevKv(const mvccpb::Event& event) const;
  // Filters, fragments and queues `events` (in revision order, one revision
  // or, catching up, several) for `w`.
  void Deliver(Watcher* w, const std::vector<mvccpb::Event>& events);
  void SendBookmark(Watcher* w);
  void CancelCompacted(Watcher* w);
  void Remove(int64_t watch_id);
  // Unsynced watchers that fell below C are canceled; returns the smallest
  // next_revision of the rest.
  int64_t CancelCompactedUnsynced();

  mvcc::KvStore* kv_;  // not owned
  WatchOptions options_;
  BugSet bugs_;
  std::map<int64_t, Watcher> watchers_;
  IntervalIndex synced_;    // Invariant: exactly the watchers with synced == true
  IntervalIndex unsynced_;  // Invariant: exactly the watchers with synced == false
  int64_t next_auto_id_ = 0;
  std::map<int64_t, std::vector<etcdserverpb::WatchResponse>> outbox_;
};

}  // namespace raftlab::watch
