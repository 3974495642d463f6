// MemberLoop: one live member's core, driven on one thread.
//
// The loop thread alone touches the core (host::Member, and through it the
// server and RawNode). Everything else hands it work: gRPC threads submit
// client requests and wait for their responses, transport threads deliver
// peer messages. Each turn of the loop:
//   1. runs everything handed to it since the last turn;
//   2. ticks the core for every tick_ms of the monotonic clock that passed
//      (ticks that fell while the process was stopped are delivered, up to
//      two election timeouts' worth, as the simulator does on resume);
//   3. runs the Ready cycle of core/host/member.h until no Ready is left:
//      persist, one fdatasync per Ready (so requests that arrived together
//      commit together), send, apply, advance;
//   4. hands responses to their waiters and watch events to their streams.
//
// A request submitted here gets exactly one response: the server's (OK, a
// definite ERROR, or UNKNOWN once its deadline passed), or UNKNOWN
// "etcdserver: request timed out" if none came within the wait given.
// Leader-local lease requests that reach a follower are forwarded to the
// leader over the peer transport (etcd forwards them too).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/prng.h"
#include "core/host/member.h"
#include "core/raft/types.h"
#include "core/server/server.h"
#include "core/storage/file_system.h"
#include "runner/peer/frame.h"
#include "server.pb.h"

namespace raftlab::runner {

// Receives the responses of the watches created for it. Both calls come on
// the loop thread and must not block for long; `watch_id` is the server's
// id of the watch.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // The watch exists. Comes before any of its responses, the first of which
  // is its created response.
  virtual void Created(int64_t watch_id) = 0;
  virtual void Deliver(int64_t watch_id, std::vector<etcdserverpb::WatchResponse> responses) = 0;
};

class MemberLoop {
 public:
  struct Options {
    server::ServerConfig server;
    storage::WalOptions wal;
    raft::ConfState initial;  // a new member's configuration
    uint64_t prng_seed = 1;
  };
  struct Hooks {
    // Loop thread. Messages that may leave now (after their Ready's fsync).
    std::function<void(std::vector<raft::Message>)> send;
    // Loop thread. A forwarded request or response for member `to`.
    std::function<void(uint64_t to, peer::FrameType type, std::string payload)> forward;
    // Loop thread. The members changed (ids, names, URLs).
    std::function<void(const std::vector<etcdserverpb::Member>&)> members_changed;
    // Loop thread. The disk failed: the member must stop (as etcd does).
    std::function<void(const std::string& why)> fatal;
    std::function<void(const std::string&)> log;
  };

  // Recovers the member from `fs` (which must outlive the loop). Errors:
  // damaged files (naming the file and offset) or a failing disk.
  static Result<std::unique_ptr<MemberLoop>> Open(const Options& options, Hooks hooks,
                                                  storage::FileSystem* fs);
  ~MemberLoop();
  MemberLoop(const MemberLoop&) = delete;
  MemberLoop& operator=(const MemberLoop&) = delete;

  void Start();
  void Stop();  // idempotent; joins the thread

  // --- any thread ---------------------------------------------------------
  // Submits `req` (its id is replaced) and waits for its response.
  serverpb::ClientResponse Call(serverpb::ClientRequest req, std::chrono::milliseconds wait);
  // Runs `fn` on the loop thread and waits for it (false if the loop stopped).
  bool Run(const std::function<void(server::Server&)>& fn);
  // The same, with the member host (its backend, its files).
  bool RunOnMember(const std::function<void(host::Member&)>& fn);
  void Deliver(raft::Message m);
  void DeliverForwardRequest(uint64_t from, serverpb::ClientRequest req);
  void DeliverForwardResponse(serverpb::ClientResponse resp);
  void ReportUnreachable(uint64_t to);
  void ReportSnapshot(uint64_t to, bool failed);
  // Creates a watch whose responses go to `sink` (Created first). Returns
  // the refusal (created and canceled, with the reason) if the server
  // refused it, nullopt if it exists. Cancel ends it; the sink hears
  // nothing after.
  std::optional<etcdserverpb::WatchResponse> CreateWatch(
      const etcdserverpb::WatchCreateRequest& req, std::shared_ptr<WatchSink> sink);
  bool CancelWatch(int64_t watch_id);
  void RequestWatchProgress();

  uint64_t id() const { return options_.server.id; }
  // The leader this member knew after its last turn (0: none), for a
  // client that asks for one (etcd's "hasleader" metadata).
  uint64_t leader() const { return leader_.load(std::memory_order_relaxed); }

 private:
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    serverpb::ClientResponse response;
    serverpb::ClientRequest request;  // kept for forwarding to the leader
    bool forwarded = false;
  };
  struct RemoteOrigin {
    uint64_t member = 0;
    uint64_t request_id = 0;
  };

  MemberLoop(const Options& options, Hooks hooks);
  void Post(std::function<void()> fn);
  void Loop();
  int64_t NowMs() const;
  void TickDue();
  void ProcessReadies();
  void RouteResponses();
  void DrainWatches();
  void NoticeMembers();
  void Fail(const std::string& why);
  void Log(const std::string& line) const;
  bool Forwardable(const serverpb::ClientRequest& req) const;

  Options options_;
  Hooks hooks_;
  Prng prng_;
  std::unique_ptr<host::Member> member_;
  const std::chrono::steady_clock::time_point epoch_;
  std::chrono::steady_clock::time_point next_tick_;

  std::mutex mu_;  // guards inbox_ and stopping_
  std::condition_variable cv_;
  std::vector<std::function<void()>> inbox_;
  bool stopping_ = false;
  bool failed_ = false;
  std::atomic<uint64_t> leader_{0};  // written by the loop thread only
  std::thread thread_;

  // Loop thread only.
  uint64_t next_request_id_ = 0;
  std::map<uint64_t, std::shared_ptr<Waiter>> waiters_;
  std::map<uint64_t, RemoteOrigin> remote_;  // forwarded to us: local id -> origin
  std::map<int64_t, std::shared_ptr<WatchSink>> watch_sinks_;
  std::vector<etcdserverpb::Member> last_members_;
  bool members_known_ = false;
};

}  // namespace raftlab::runner
