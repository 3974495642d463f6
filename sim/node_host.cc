#include "sim/node_host.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/check.h"
#include "core/raft/describe.h"
#include "core/storage/snapshot_file.h"

namespace raftlab::sim {

int64_t NodeClock::Local(TimeNs global) const {
  const int64_t since = static_cast<int64_t>(global - std::min(global, drift_since));
  return static_cast<int64_t>(global) + offset_ns + since / 1'000'000 * drift_ppm +
         since % 1'000'000 * drift_ppm / 1'000'000;
}

TimeNs NodeClock::GlobalFor(TimeNs local) const {
  // A clock running (1e6 + drift) / 1e6 times as fast needs less global time.
  const int64_t rate = 1'000'000 + drift_ppm;
  CHECK_GT(rate, 0);
  return static_cast<TimeNs>(static_cast<__int128>(local) * 1'000'000 / rate);
}

NodeHost::NodeHost(raft::NodeId id, const SimConfig& config, const raft::ConfState& initial,
                   Prng raft_prng, Prng disk_prng, EventQueue* queue, Trace* trace,
                   Callbacks cb)
    : id_(id), config_(config), initial_(initial), raft_prng_(raft_prng),
      disk_(config.disk, disk_prng), queue_(queue), trace_(trace), cb_(std::move(cb)) {}

void NodeHost::Start() {
  CHECK(!up());
  ++epoch_;
  progress_invariants_ = raft::ProgressInvariants();
  server::ServerConfig sc = config_.server;
  sc.id = id_;
  sc.incarnation = incarnation_ + 1;
  Result<std::unique_ptr<host::Member>> opened = host::Member::Open(
      sc, disk_.fs(), storage::WalOptions{1 << 20}, &raft_prng_, initial_, LocalMs());
  if (!opened && disk_.full()) return StopOnDiskError(opened.error().message);
  if (!opened) {
    // A damaged disk: the member refuses to start (never applies bad state).
    failed_ = true;
    failure_ = opened.error().message;
    trace_->Add(queue_->now(), TraceKind::kFault, id_, 1, 0, 0,
                "recovery refused: " + opened.error().message);
    return;
  }
  ++incarnation_;
  member_ = std::move(*opened);
  server_ = &member_->server();
  const storage::Recovered& r = member_->recovered();
  durable_ = DurableLog{};
  if (!SaveLocalSnapshot()) return;
  ready_in_flight_ = false;
  paused_ = false;
  last_role_ = raft::StateRole::kFollower;
  last_term_ = server_->raw_node().raft().term();
  trace_->Add(queue_->now(), TraceKind::kFault, id_, 2, r.entries.size(), 0,
              fmt::format("started: recovered {} entries after snapshot {}", r.entries.size(),
                          r.snapshot ? r.snapshot->metadata.index : 0));
  if (cb_.applied) cb_.applied(id_, *server_, /*restarted=*/true);
  ScheduleTick();
  Pump();
}

void NodeHost::CrashWithSynced(const raft::Ready* synced_ready) {
  if (!up()) return;
  // What survives: the stable log (every Ready advanced so far was synced),
  // plus a synced but unadvanced Ready. Exact only if the disk drops what
  // was not synced, or nothing was unsynced (the Ready just synced).
  DurableLog d;
  {
    const raft::MemoryStorage& st = server_->storage();
    const raft::Raft& r = server_->raw_node().raft();
    d.snapshot_index = st.FirstIndex() - 1;
    d.snapshot_term = st.Term(d.snapshot_index).value_or(0);
    for (const raft::Entry& e : st.View(st.FirstIndex(), st.LastIndex() + 1)) d.terms.push_back(e.term);
    d.promotable = r.CanCampaign();
    d.voters = r.tracker().config.voters;
    d.known = synced_ready == nullptr || synced_ready->snapshot.IsEmpty();
    if (synced_ready != nullptr) {
      for (const raft::Entry& e : synced_ready->entries) {
        if (e.index <= d.snapshot_index) continue;
        d.terms.resize(e.index - d.snapshot_index - 1);  // a conflicting append truncates
        d.terms.push_back(e.term);
      }
    }
  }
  ++epoch_;
  crash_after_propose_ = false;
  apply_scheduled_ = false;
  apply_due_ = false;
  server_ = nullptr;
  member_.reset();
  for (const raft::Message& m : held_) SnapshotStatus(m, /*failed=*/true);
  held_.clear();
  held_reports_.clear();
  missed_ticks_ = 0;
  stalled_ready_.reset();
  const char* what = disk_.Crash();
  if (synced_ready == nullptr && std::string_view(what) != "dropped unsynced writes") d.known = false;
  durable_ = std::move(d);
  trace_->Add(queue_->now(), TraceKind::kFault, id_, 3, 0, 0, std::string("crashed; disk ") + what);
  if (cb_.down) cb_.down(id_);
}

void NodeHost::Resume() {
  paused_ = false;
  // The clock ran on while the process was stopped: it sees that time pass
  // before it reads its socket, as a host deriving ticks from a monotonic
  // clock would. A lease must not outlive a pause. More than two election
  // timeouts of ticks change nothing more.
  const int catch_up = std::min(std::exchange(missed_ticks_, 0), 2 * config_.server.election_tick + 1);
  if (std::exchange(apply_due_, false)) ApplyDeferred();
  if (up()) {
    for (int i = 0; i < catch_up; ++i) server_->Tick(LocalMs());
    Role();
  }
  std::deque<raft::Message> held = std::exchange(held_, {});
  for (const raft::Message& m : held) Deliver(m);
  for (const auto& [to, failed] : std::exchange(held_reports_, {})) ReportSnapshot(to, failed);
  Pump();
}

void NodeHost::ScheduleTick() {
  const uint64_t epoch = epoch_;
  const TimeNs tick = static_cast<TimeNs>(config_.server.tick_ms) * kMillisecond;
  queue_->After(clock_.GlobalFor(tick), [this, epoch] {
    if (epoch != epoch_ || !up()) return;
    if (!paused_) {
      server_->Tick(LocalMs());
      Role();
      Pump();
    } else {
      ++missed_ticks_;
    }
    ScheduleTick();
  });
}

void NodeHost::SnapshotStatus(const raft::Message& m, bool failed) {
  if (m.type == raft::MessageType::kSnap && cb_.snapshot_status) {
    cb_.snapshot_status(m.from, id_, failed);
  }
}

void NodeHost::Deliver(const raft::Message& m) {
  if (!up()) {
    SnapshotStatus(m, /*failed=*/true);
    return;
  }
  if (paused_) {
    held_.push_back(m);  // a stopped process reads its socket when it resumes
    return;
  }
  trace_->Add(queue_->now(), TraceKind::kDeliver, id_, m.from, static_cast<uint64_t>(m.type),
              m.term, [&] { return "recv " + raft::DescribeMessage(m); });
  server_->Step(m);
  if (cb_.violation) {
    for (const std::string& v : progress_invariants_.Check(server_->raw_node().raft())) {
      cb_.violation(id_, v);
    }
  }
  SnapshotStatus(m, /*failed=*/false);
  Role();
  Pump();
}

bool NodeHost::Submit(const serverpb::ClientRequest& req) {
  if (!up() || paused_) return false;
  server_->Submit(req, LocalMs());
  Pump();
  return true;
}

void NodeHost::ReportSnapshot(raft::NodeId to, bool failed) {
  if (!up()) return;  // a restarted leader starts with fresh progress anyway
  if (paused_) {
    held_reports_.emplace_back(to, failed);
    return;
  }
  server_->ReportSnapshot(to, failed);
}

std::optional<int64_t> NodeHost::Watch(const etcdserverpb::WatchCreateRequest& req) {
  if (!up() || paused_) return std::nullopt;
  const watch::CreateResult r = server_->Watch(req);
  if (r.status != watch::WatchStatus::kOk) return std::nullopt;
  Pump();
  return r.watch_id;
}

void NodeHost::CancelWatch(int64_t watch_id) {
  if (!up() || paused_) return;
  server_->CancelWatch(watch_id);
  Pump();
}

void NodeHost::Pump() {
  if (!up() || paused_) return;
  for (auto& resp : server_->TakeResponses()) cb_.respond(id_, resp);
  if (cb_.watch) {
    for (const auto& [watch_id, responses] : server_->DrainWatches()) {
      cb_.watch(id_, watch_id, responses);
      if (!up() || paused_) return;
    }
  }
  if (ready_in_flight_) return;
  Result<std::optional<raft::Ready>> persisted = member_->Persist();
  if (!persisted) return StopOnDiskError(persisted.error().message);
  if (!persisted->has_value()) return;
  raft::Ready rd = std::move(**persisted);
  ready_in_flight_ = true;
  trace_->Add(queue_->now(), TraceKind::kPersist, id_, rd.entries.size(), rd.hard_state.commit,
              rd.hard_state.term,
              [&] {
                return fmt::format("persist {} entries{}", rd.entries.size(),
                                   rd.hard_state.IsEmpty()
                                       ? ""
                                       : ", hard state " + raft::DescribeHardState(rd.hard_state));
              });
  if (config_.server.bugs.Has(Bug::kAckBeforeFsync)) {
    // Bug zoo B10 (ack-before-fsync): votes and append acks leave before the
    // fsync, so a crash can lose what a quorum was told is durable.
    SendMessages(&rd);
  }
  const uint64_t epoch = epoch_;
  const TimeNs latency = (rd.must_sync ? disk_.FsyncLatency() : 0) + slow_;
  queue_->After(latency, [this, epoch, rd = std::move(rd)]() mutable {
    if (epoch != epoch_) return;  // crashed meanwhile: the fsync never happened
    if (disk_.stalled() && rd.must_sync) {
      stalled_ready_ = std::move(rd);
      return;
    }
    FinishReady(epoch, std::move(rd));
  });
}

void NodeHost::FinishReady(uint64_t epoch, raft::Ready rd) {
  CHECK_EQ(epoch, epoch_);
  if (Status synced = member_->Sync(); !synced) return StopOnDiskError(synced.error().message);
  trace_->Add(queue_->now(), TraceKind::kFsync, id_, 0, 0, 0, "fsync done");
  const raft::Raft& r = server_->raw_node().raft();
  if (crash_after_propose_ && !rd.entries.empty() && r.state() == raft::StateRole::kLeader &&
      rd.entries.back().term == r.term()) {
    // The leader's own new entries (a proposal, or the no-op of its
    // election) are durable here and nowhere else: it dies before this
    // Ready's appends go out.
    trace_->Add(queue_->now(), TraceKind::kFault, id_, 5, rd.entries.size(), 0,
                fmt::format("crash after proposing {} entries", rd.entries.size()));
    CrashWithSynced(&rd);
    return;
  }
  // Only now may the Ready's messages leave (the durability rule).
  SendMessages(&rd);
  const bool defer = apply_lag_ > 0;
  // Applied now: whatever was deferred (always before a snapshot), then this Ready's entries.
  if (!defer || !rd.snapshot.IsEmpty()) TraceDeferredApplies();
  if (!defer) TraceApplies(rd.committed_entries);
  const Status advanced = member_->Advance(
      rd, LocalMs(), defer ? server::Server::Apply::kDeferred : server::Server::Apply::kNow);
  if (defer) ScheduleApply();
  if (cb_.applied) cb_.applied(id_, *server_, /*restarted=*/false);
  if (!advanced) return StopOnDiskError(advanced.error().message);
  ready_in_flight_ = false;
  Role();
  Pump();
}

void NodeHost::TraceApplies(const std::vector<raft::Entry>& entries) {
  for (const raft::Entry& e : entries) {
    trace_->Add(queue_->now(), TraceKind::kApply, id_, e.index, e.term, e.data.size(),
                [&] { return fmt::format("apply {}/{}", e.term, e.index); });
  }
}

void NodeHost::TraceDeferredApplies() {
  for (const std::vector<raft::Entry>& batch : server_->deferred()) TraceApplies(batch);
}

void NodeHost::ScheduleApply() {
  if (apply_scheduled_ || server_->deferred().empty()) return;
  apply_scheduled_ = true;
  const uint64_t epoch = epoch_;
  queue_->After(apply_lag_, [this, epoch] {
    if (epoch != epoch_) return;  // crashed meanwhile: the queue died with the process
    apply_scheduled_ = false;
    if (paused_) {
      apply_due_ = true;
      return;
    }
    ApplyDeferred();
  });
}

void NodeHost::ApplyDeferred() {
  if (!up() || server_->deferred().empty()) return;
  TraceDeferredApplies();
  const Status applied = member_->ApplyDeferred(LocalMs());
  if (cb_.applied) cb_.applied(id_, *server_, /*restarted=*/false);
  if (!applied) return StopOnDiskError(applied.error().message);
  Role();
  Pump();
}

bool NodeHost::SaveLocalSnapshot() {
  const Status saved = member_->SaveSnapshotTaken();
  if (!saved) {
    StopOnDiskError(saved.error().message);
    return false;
  }
  return true;
}

void NodeHost::TransferLeader(raft::NodeId to) {
  if (!up() || paused_) return;
  server_->TransferLeader(to);
  Pump();
}

raft::StepResult NodeHost::ProposeConfChange(const raft::ConfChangeV2& cc) {
  if (!up() || paused_) return raft::StepResult::kProposalDropped;
  const raft::StepResult r = server_->ProposeConfChange(cc);
  Pump();
  return r;
}

void NodeHost::SendMessages(raft::Ready* rd) {
  std::vector<raft::Message> messages = member_->TakeMessages(rd);
  for (raft::Message& m : messages) {
    trace_->Add(queue_->now(), TraceKind::kSend, id_, m.to, static_cast<uint64_t>(m.type), m.term,
                [&] { return "send " + raft::DescribeMessage(m); });
    cb_.send(std::move(m));
  }
}

void NodeHost::StopOnDiskError(const std::string& what) {
  trace_->Add(queue_->now(), TraceKind::kFault, id_, 4, 0, 0,
              "disk error, member stops: " + what);
  Crash();
}

void NodeHost::EndStall() {
  disk_.set_stalled(false);
  if (!stalled_ready_) return;
  raft::Ready rd = std::move(*stalled_ready_);
  stalled_ready_.reset();
  FinishReady(epoch_, std::move(rd));
}

void NodeHost::Role() {
  const raft::Raft& r = server_->raw_node().raft();
  if (r.state() == last_role_ && r.term() == last_term_) return;
  last_role_ = r.state();
  last_term_ = r.term();
  trace_->Add(queue_->now(), TraceKind::kRole, id_, static_cast<uint64_t>(r.state()), r.term(), 0,
              [&] {
                return fmt::format("{} in term {}", raft::StateRoleName(r.state()), r.term());
              });
}

}  // namespace raftlab::sim
