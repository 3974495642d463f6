#include "runner/member_loop.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/check.h"
#include "core/server/errors.h"

namespace raftlab::runner {
namespace {

using Clock = std::chrono::steady_clock;

bool SameMembers(const std::vector<etcdserverpb::Member>& a,
                 const std::vector<etcdserverpb::Member>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].SerializeAsString() != b[i].SerializeAsString()) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<MemberLoop>> MemberLoop::Open(const Options& options, Hooks hooks,
                                                     storage::FileSystem* fs) {
  std::unique_ptr<MemberLoop> loop(new MemberLoop(options, std::move(hooks)));
  Result<std::unique_ptr<host::Member>> m = host::Member::Open(
      options.server, fs, options.wal, &loop->prng_, options.initial, loop->NowMs());
  if (!m) return tl::unexpected(m.error());
  loop->member_ = std::move(*m);
  RAFTLAB_RETURN_IF_ERROR(loop->member_->SaveSnapshotTaken());
  for (const std::string& note : loop->member_->recovered().notes) loop->Log("recovery: " + note);
  if (const auto* b = loop->member_->server().backend()) {
    const storage::Recovered& r = loop->member_->recovered();
    loop->Log(fmt::format("recovery: backend at consistent index {} ({} bytes, {} in use); "
                          "snapshot at {}, {} WAL entries after it",
                          loop->member_->server().consistent_index(), b->Size(), b->SizeInUse(),
                          r.snapshot ? r.snapshot->metadata.index : 0, r.entries.size()));
  }
  return loop;
}

MemberLoop::MemberLoop(const Options& options, Hooks hooks)
    : options_(options), hooks_(std::move(hooks)), prng_(options.prng_seed),
      epoch_(Clock::now()), next_tick_(epoch_) {}

MemberLoop::~MemberLoop() { Stop(); }

void MemberLoop::Log(const std::string& line) const {
  if (hooks_.log) hooks_.log(line);
}

int64_t MemberLoop::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch_).count();
}

void MemberLoop::Start() {
  next_tick_ = Clock::now() + std::chrono::milliseconds(options_.server.tick_ms);
  thread_ = std::thread([this] { Loop(); });
}

void MemberLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemberLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    inbox_.push_back(std::move(fn));
  }
  cv_.notify_one();
}

void MemberLoop::Loop() {
  NoticeMembers();
  for (;;) {
    std::vector<std::function<void()>> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next_tick_, [this] { return stopping_ || !inbox_.empty(); });
      if (stopping_) break;
      work.swap(inbox_);
    }
    if (failed_) continue;  // a member that lost its disk does nothing more
    for (auto& fn : work) fn();
    TickDue();
    ProcessReadies();
    leader_.store(member_->server().raw_node().raft().lead(), std::memory_order_relaxed);
    RouteResponses();
    DrainWatches();
    NoticeMembers();
  }
  // Whoever still waits hears the member went away.
  for (auto& [id, w] : waiters_) {
    std::lock_guard<std::mutex> lock(w->mu);
    w->response.set_outcome(serverpb::OUTCOME_UNKNOWN);
    w->response.set_error("etcdserver: server stopped");
    w->done = true;
    w->cv.notify_all();
  }
  waiters_.clear();
}

void MemberLoop::TickDue() {
  const auto now = Clock::now();
  const auto tick = std::chrono::milliseconds(options_.server.tick_ms);
  // After a stop (SIGSTOP) the clock ran on: deliver the ticks, but no more
  // than two election timeouts change anything.
  const int max_ticks = 2 * options_.server.election_tick + 1;
  int ticks = 0;
  while (now >= next_tick_) {
    if (ticks < max_ticks) member_->server().Tick(NowMs());
    ++ticks;
    next_tick_ += tick;
  }
}

void MemberLoop::ProcessReadies() {
  for (;;) {
    Result<std::optional<raft::Ready>> persisted = member_->Persist();
    if (!persisted) return Fail(persisted.error().message);
    if (!persisted->has_value()) return;
    raft::Ready rd = std::move(**persisted);
    if (options_.server.bugs.Has(Bug::kAckBeforeFsync)) {
      // Bug zoo B10 (ack-before-fsync): the Ready's messages leave first.
      if (hooks_.send) hooks_.send(member_->TakeMessages(&rd));
    }
    if (Status synced = member_->Sync(); !synced) return Fail(synced.error().message);
    std::vector<raft::Message> messages = member_->TakeMessages(&rd);
    if (hooks_.send && !messages.empty()) hooks_.send(std::move(messages));
    if (Status advanced = member_->Advance(rd, NowMs(), server::Server::Apply::kNow); !advanced) {
      return Fail(advanced.error().message);
    }
  }
}

void MemberLoop::Fail(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  Log("disk error, the member stops: " + why);
  if (hooks_.fatal) hooks_.fatal(why);
}

bool MemberLoop::Forwardable(const serverpb::ClientRequest& req) const {
  return req.has_lease_keep_alive() || req.has_lease_time_to_live();
}

void MemberLoop::RouteResponses() {
  for (serverpb::ClientResponse& resp : member_->server().TakeResponses()) {
    if (auto r = remote_.find(resp.id()); r != remote_.end()) {
      resp.set_id(r->second.request_id);
      if (hooks_.forward) {
        hooks_.forward(r->second.member, peer::FrameType::kForwardResponse,
                       resp.SerializeAsString());
      }
      remote_.erase(r);
      continue;
    }
    auto it = waiters_.find(resp.id());
    if (it == waiters_.end()) continue;  // its caller gave up
    std::shared_ptr<Waiter> w = it->second;
    const bool not_leader = resp.outcome() == serverpb::OUTCOME_ERROR &&
                            resp.error() == server::kErrNotLeader;
    if (not_leader && Forwardable(w->request) && !w->forwarded && resp.leader_hint() != 0 &&
        resp.leader_hint() != id() && hooks_.forward) {
      // Leader-local lease requests are answered by the leader: ask it.
      w->forwarded = true;
      serverpb::ClientRequest forwarded = w->request;
      forwarded.set_id(resp.id());
      hooks_.forward(resp.leader_hint(), peer::FrameType::kForwardRequest,
                     forwarded.SerializeAsString());
      continue;
    }
    waiters_.erase(it);
    std::lock_guard<std::mutex> lock(w->mu);
    w->response = std::move(resp);
    w->done = true;
    w->cv.notify_all();
  }
}

void MemberLoop::DrainWatches() {
  const server::Server& s = member_->server();
  for (auto& [watch_id, responses] : member_->server().DrainWatches()) {
    auto it = watch_sinks_.find(watch_id);
    if (it == watch_sinks_.end()) continue;
    // The store knows revisions only; the rest of etcd's header is the member's.
    for (etcdserverpb::WatchResponse& r : responses) {
      *r.mutable_header() = s.Header(r.header().revision());
    }
    const bool ended = std::any_of(responses.begin(), responses.end(),
                                   [](const etcdserverpb::WatchResponse& r) { return r.canceled(); });
    it->second->Deliver(watch_id, std::move(responses));
    if (ended) watch_sinks_.erase(it);
  }
}

void MemberLoop::NoticeMembers() {
  std::vector<etcdserverpb::Member> members = member_->server().Members();
  if (members_known_ && SameMembers(members, last_members_)) return;
  members_known_ = true;
  last_members_ = members;
  if (hooks_.members_changed) hooks_.members_changed(members);
}

serverpb::ClientResponse MemberLoop::Call(serverpb::ClientRequest req,
                                          std::chrono::milliseconds wait) {
  auto w = std::make_shared<Waiter>();
  w->request = req;
  Post([this, w, req]() mutable {
    const uint64_t id = ++next_request_id_;
    req.set_id(id);
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->request.set_id(id);
    }
    waiters_[id] = w;
    member_->server().Submit(req, NowMs());
  });
  std::unique_lock<std::mutex> lock(w->mu);
  if (!w->cv.wait_for(lock, wait, [&] { return w->done; })) {
    const uint64_t id = w->request.id();  // set by the loop; 0 if it never ran
    lock.unlock();
    Post([this, id, w] {
      auto it = waiters_.find(id);
      if (it != waiters_.end() && it->second == w) waiters_.erase(it);
    });
    serverpb::ClientResponse timeout;
    timeout.set_outcome(serverpb::OUTCOME_UNKNOWN);
    timeout.set_error(server::kErrTimeout);
    return timeout;
  }
  return w->response;
}

bool MemberLoop::Run(const std::function<void(server::Server&)>& fn) {
  return RunOnMember([&fn](host::Member& m) { fn(m.server()); });
}

bool MemberLoop::RunOnMember(const std::function<void(host::Member&)>& fn) {
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  auto done = std::make_shared<Done>();
  Post([this, &fn, done] {
    fn(*member_);
    std::lock_guard<std::mutex> lock(done->mu);
    done->done = true;
    done->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(done->mu);
  // The loop either runs it or stops; a stopped loop never will.
  while (!done->done) {
    if (done->cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return done->done; })) break;
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return false;
  }
  return true;
}

void MemberLoop::Deliver(raft::Message m) {
  Post([this, m = std::move(m)] {
    // Checked against the node's state here, on the loop thread, right
    // before the step (core/raft/raft.h, "Peer input").
    if (Status ok = member_->server().CheckPeerMessage(m); !ok) {
      Log("peer message refused: " + ok.error().message);
      return;
    }
    member_->server().Step(m);
  });
}

void MemberLoop::DeliverForwardRequest(uint64_t from, serverpb::ClientRequest req) {
  Post([this, from, req = std::move(req)]() mutable {
    if (!Forwardable(req)) return;  // only lease requests travel this way
    const uint64_t id = ++next_request_id_;
    remote_[id] = RemoteOrigin{from, req.id()};
    req.set_id(id);
    member_->server().Submit(req, NowMs());
  });
}

void MemberLoop::DeliverForwardResponse(serverpb::ClientResponse resp) {
  Post([this, resp = std::move(resp)]() mutable {
    auto it = waiters_.find(resp.id());
    if (it == waiters_.end() || !it->second->forwarded) return;
    std::shared_ptr<Waiter> w = it->second;
    waiters_.erase(it);
    std::lock_guard<std::mutex> lock(w->mu);
    w->response = std::move(resp);
    w->done = true;
    w->cv.notify_all();
  });
}

void MemberLoop::ReportUnreachable(uint64_t to) {
  Post([this, to] { member_->server().ReportUnreachable(to); });
}

void MemberLoop::ReportSnapshot(uint64_t to, bool failed) {
  Post([this, to, failed] { member_->server().ReportSnapshot(to, failed); });
}

std::optional<etcdserverpb::WatchResponse> MemberLoop::CreateWatch(
    const etcdserverpb::WatchCreateRequest& req, std::shared_ptr<WatchSink> sink) {
  std::optional<etcdserverpb::WatchResponse> refused;
  const bool ran = Run([&](server::Server& s) {
    const watch::CreateResult r = s.Watch(req);
    if (r.status != watch::WatchStatus::kOk) {
      etcdserverpb::WatchResponse created;
      *created.mutable_header() = s.Header(s.kv().current_revision());
      created.set_created(true);
      created.set_watch_id(-1);
      created.set_canceled(true);
      created.set_cancel_reason(r.status == watch::WatchStatus::kWatchIdExists
                                    ? "mvcc: duplicate watch ID provided on the WatchStream"
                                    : "mvcc: watcher range is empty");
      refused = std::move(created);
      return;
    }
    // The store queued the created response; it goes out with the drain.
    watch_sinks_[r.watch_id] = sink;
    sink->Created(r.watch_id);
  });
  if (!ran) {
    refused.emplace();
    refused->set_watch_id(-1);
    refused->set_created(true);
    refused->set_canceled(true);
    refused->set_cancel_reason("etcdserver: server stopped");
  }
  return refused;
}

bool MemberLoop::CancelWatch(int64_t watch_id) {
  bool found = false;
  Run([&](server::Server& s) {
    watch_sinks_.erase(watch_id);
    found = s.CancelWatch(watch_id) == watch::WatchStatus::kOk;
  });
  return found;
}

void MemberLoop::RequestWatchProgress() {
  Post([this] { member_->server().RequestWatchProgress(); });
}

}  // namespace raftlab::runner
