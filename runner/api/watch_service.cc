// Watch: the bidirectional stream of etcd's v3rpc/watch.go. Watch ids are
// per stream, as etcd's are (0, 1, ... unless the client names one); the
// server's ids are global, and this stream translates between them. One
// writer thread sends what the member queues; the handler thread reads.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/watch/watchable_store.h"
#include "runner/api/call.h"
#include "runner/api/services.h"

namespace raftlab::runner::api {
namespace {

using etcdserverpb::WatchRequest;
using etcdserverpb::WatchResponse;

class StreamSink final : public WatchSink {
 public:
  // The local id the next Created will carry (set by the reader, one create
  // at a time).
  void Expect(int64_t local_id) {
    std::lock_guard<std::mutex> lock(mu_);
    expected_local_ = local_id;
  }

  void Created(int64_t watch_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    local_[watch_id] = expected_local_;
    global_[expected_local_] = watch_id;
  }

  void Deliver(int64_t watch_id, std::vector<WatchResponse> responses) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = local_.find(watch_id);
    if (it == local_.end()) return;
    const int64_t local = it->second;
    for (WatchResponse& r : responses) {
      r.set_watch_id(local);
      if (r.canceled()) {
        global_.erase(local);
        local_.erase(it);
        queue_.push_back(std::move(r));
        break;
      }
      queue_.push_back(std::move(r));
    }
    cv_.notify_one();
  }

  void Push(WatchResponse r) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(r));
    cv_.notify_one();
  }

  // The server's id for a local one, forgetting it (cancel).
  std::optional<int64_t> Forget(int64_t local) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = global_.find(local);
    if (it == global_.end()) return std::nullopt;
    const int64_t global = it->second;
    local_.erase(global);
    global_.erase(it);
    return global;
  }

  bool InUse(int64_t local) {
    std::lock_guard<std::mutex> lock(mu_);
    return global_.count(local) != 0;
  }

  std::vector<int64_t> Globals() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<int64_t> out;
    for (const auto& [global, local] : local_) out.push_back(global);
    return out;
  }

  // The writer could not send: the client is gone.
  void Broken() {
    std::lock_guard<std::mutex> lock(mu_);
    broken_ = true;
    cv_.notify_all();
  }

  // Waits up to `wait` for the stream to break; true once it has.
  bool WaitBroken(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, wait, [this] { return broken_; });
  }

  // Blocks until a response is queued or the sink is closed.
  bool Pop(WatchResponse* out) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return false;
    *out = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchResponse> queue_;
  bool closed_ = false;
  bool broken_ = false;
  int64_t expected_local_ = 0;
  std::map<int64_t, int64_t> local_;   // server id -> stream id
  std::map<int64_t, int64_t> global_;  // stream id -> server id
};

}  // namespace

grpc::Status WatchService::Watch(grpc::ServerContext* ctx,
                                 grpc::ServerReaderWriter<WatchResponse, WatchRequest>* stream) {
  // etcd's stream interceptor refuses a leaderless stream at its start; it
  // also cancels open ones after three election timeouts without a leader,
  // which raftlab does not (docs/live.md).
  if (grpc::Status refused = RequireLeader(ctx, *loop_); !refused.ok()) return refused;
  auto sink = std::make_shared<StreamSink>();
  std::thread writer([&] {
    WatchResponse r;
    while (sink->Pop(&r)) {
      if (!stream->Write(r)) {
        sink->Broken();
        break;
      }
    }
  });
  int64_t next_local = 0;
  WatchRequest req;
  while (!ctx->IsCancelled() && stream->Read(&req)) {
    if (req.has_create_request()) {
      etcdserverpb::WatchCreateRequest create = req.create_request();
      // etcd's edge: an empty key watches "\0"; the server chooses no id.
      if (create.key().empty()) create.set_key(std::string(1, '\0'));
      int64_t local = create.watch_id();
      if (local == 0) {
        while (sink->InUse(next_local)) ++next_local;
        local = next_local++;
      } else if (sink->InUse(local) && !watch::IsEmptyRange(create)) {
        // (etcd checks the range first; the member refuses an empty one.)
        WatchResponse dup;
        dup.set_watch_id(-1);
        dup.set_created(true);
        dup.set_canceled(true);
        dup.set_cancel_reason("mvcc: duplicate watch ID provided on the WatchStream");
        loop_->Run([&](server::Server& s) {
          *dup.mutable_header() = s.Header(s.kv().current_revision());
        });
        sink->Push(std::move(dup));
        continue;
      }
      create.set_watch_id(0);
      sink->Expect(local);
      if (std::optional<WatchResponse> refused = loop_->CreateWatch(create, sink)) {
        sink->Push(std::move(*refused));
      }
    } else if (req.has_cancel_request()) {
      const int64_t local = req.cancel_request().watch_id();
      // An unknown id gets no answer, as in etcd.
      if (std::optional<int64_t> global = sink->Forget(local)) {
        loop_->CancelWatch(*global);
        WatchResponse canceled;
        canceled.set_watch_id(local);
        canceled.set_canceled(true);
        loop_->Run([&](server::Server& s) {
          *canceled.mutable_header() = s.Header(s.kv().current_revision());
        });
        sink->Push(std::move(canceled));
      }
    } else if (req.has_progress_request()) {
      // etcd 3.4 answers a progress request with one response for the
      // stream, watch id -1, at the current revision.
      WatchResponse progress;
      progress.set_watch_id(-1);
      loop_->Run([&](server::Server& s) {
        *progress.mutable_header() = s.Header(s.kv().current_revision());
      });
      sink->Push(std::move(progress));
    }
  }
  // A client that half-closes still receives its watches' events: as in
  // etcd, the stream ends when the client cancels it (or the server stops,
  // which cancels every call), not at the end of the requests.
  while (!ctx->IsCancelled() && !sink->WaitBroken(std::chrono::milliseconds(100))) {
  }
  for (int64_t global : sink->Globals()) loop_->CancelWatch(global);
  sink->Close();
  writer.join();
  return grpc::Status::OK;
}

}  // namespace raftlab::runner::api
