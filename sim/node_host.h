// NodeHost: one simulated member process — a KV server, its disk and its
// clock — driven through the Ready loop with a real durability boundary:
// a Ready's records are appended to the WAL, and only when the simulated
// fsync completes are its messages sent and is it applied (Advance). The
// durable part, shared with the live runner, is core/host/member.h; this
// class adds simulated time, fsync latency, faults and the trace. A crash
// forgets everything volatile, lets the disk lose or tear unsynced writes,
// and a restart recovers through the Member.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/host/member.h"
#include "core/raft/progress_invariants.h"
#include "core/server/server.h"
#include "sim/commit_safety.h"
#include "sim/config.h"
#include "sim/core/trace.h"
#include "sim/sim_disk.h"

namespace raftlab::sim {

// A node's clock: local = global + offset + drift (parts per million of the
// global time since the drift was set). Ticks follow the local clock.
struct NodeClock {
  int64_t offset_ns = 0;
  int64_t drift_ppm = 0;
  TimeNs drift_since = 0;

  int64_t Local(TimeNs global) const;
  // Global time until the local clock advances by `local` nanoseconds.
  TimeNs GlobalFor(TimeNs local) const;
};

class NodeHost {
 public:
  struct Callbacks {
    std::function<void(raft::Message)> send;  // takes the message: no copy per send
    std::function<void(raft::NodeId node, const serverpb::ClientResponse&)> respond;
    // Optional. Watch responses as the member produces them.
    std::function<void(raft::NodeId node, int64_t watch_id,
                       const std::vector<etcdserverpb::WatchResponse>&)>
        watch;
    // Optional. The process crashed (its watch streams are gone).
    std::function<void(raft::NodeId node)> down;
    // Optional. After the member (re)started or applied a Ready.
    std::function<void(raft::NodeId node, const server::Server&, bool restarted)> applied;
    // Optional. A snapshot message reached this member's process (failed =
    // false) or was lost with it (failed = true): what etcd's transport tells
    // the sender, which otherwise waits in snapshot mode forever.
    std::function<void(raft::NodeId leader, raft::NodeId follower, bool failed)> snapshot_status;
    // Optional. A broken invariant of the leader's progress tracking seen
    // after a step (raft::ProgressInvariants).
    std::function<void(raft::NodeId node, const std::string& what)> violation;
  };

  NodeHost(raft::NodeId id, const SimConfig& config, const raft::ConfState& initial,
           Prng raft_prng, Prng disk_prng, EventQueue* queue, Trace* trace, Callbacks cb);

  void Start();  // (re)start from disk; schedules ticks
  void Crash() { CrashWithSynced(nullptr); }
  // While down: the log a restart will recover, if known exactly.
  const DurableLog& durable_log() const { return durable_; }
  // Crash-after-propose fault: the process dies right after it next appends
  // entries as leader (a client proposal, or the no-op of its election) and
  // they are durable, before that Ready's messages leave. Armed on a
  // follower, it fires if that member wins an election. Disarmed by any crash.
  void set_crash_after_propose(bool armed) { crash_after_propose_ = armed; }
  bool crash_after_propose() const { return crash_after_propose_; }
  void Pause() { paused_ = true; }
  void Resume();
  // Ready handling (persist, fsync) takes `extra` longer: a slow node.
  void set_slow(TimeNs extra) { slow_ = extra; }
  TimeNs slow() const { return slow_; }
  // Slow-apply fault: while `lag` > 0 the member applies committed entries
  // asynchronously, as etcd's server does, `lag` after their Ready was
  // persisted (Server::Apply::kDeferred); Raft counts them unapplied until then.
  void set_apply_lag(TimeNs lag) { apply_lag_ = lag; }
  TimeNs apply_lag() const { return apply_lag_; }
  // Fsyncs stall until EndStall(); a Ready waiting on one completes then.
  void StartStall() { disk_.set_stalled(true); }
  void EndStall();
  SimDisk& disk() { return disk_; }
  // Cluster operations through this member (if it is up).
  void TransferLeader(raft::NodeId to);
  raft::StepResult ProposeConfChange(const raft::ConfChangeV2& cc);
  // The disk was deliberately damaged (corruption faults): refusing to
  // recover is then the right answer, not a finding.
  void set_damaged() { damaged_ = true; }
  bool damaged() const { return damaged_; }
  const std::string& failure() const { return failure_; }
  void Deliver(const raft::Message& m);
  // Returns false if the process is not running (the request is lost).
  bool Submit(const serverpb::ClientRequest& req);
  void ReportSnapshot(raft::NodeId to, bool failed);
  // Opens a watch; nullopt if the process is not running. Responses go to
  // Callbacks::watch.
  std::optional<int64_t> Watch(const etcdserverpb::WatchCreateRequest& req);
  void CancelWatch(int64_t watch_id);

  raft::NodeId id() const { return id_; }
  bool up() const { return member_ != nullptr; }
  bool paused() const { return paused_; }
  bool failed() const { return failed_; }  // stopped after a disk error
  server::Server* server() { return server_; }
  NodeClock& clock() { return clock_; }
  uint64_t incarnation() const { return incarnation_; }
  int64_t LocalMs() const { return clock_.Local(queue_->now()) / 1'000'000; }

 private:
  // `synced_ready`: a Ready whose fsync completed but which was not advanced
  // (crash-after-propose); its entries are durable too.
  void CrashWithSynced(const raft::Ready* synced_ready);
  void ScheduleTick();
  void Pump();
  void SnapshotStatus(const raft::Message& m, bool failed);
  void FinishReady(uint64_t epoch, raft::Ready rd);
  void ScheduleApply();
  void ApplyDeferred();
  void TraceApplies(const std::vector<raft::Entry>& entries);
  void TraceDeferredApplies();  // what the server's queue holds, about to apply
  // Writes a snapshot the server took; false (and the member stopped) on a disk error.
  bool SaveLocalSnapshot();
  void Role();
  // A write or fsync failed: like etcd, the member stops rather than go on
  // as if its state were durable. It can be restarted from its disk.
  void StopOnDiskError(const std::string& what);
  // Hands rd's messages to the network; rd.messages is left empty.
  void SendMessages(raft::Ready* rd);

  raft::NodeId id_;
  SimConfig config_;
  raft::ProgressInvariants progress_invariants_;
  raft::ConfState initial_;
  Prng raft_prng_;
  SimDisk disk_;
  EventQueue* queue_;
  Trace* trace_;
  Callbacks cb_;
  NodeClock clock_;
  std::unique_ptr<host::Member> member_;  // null while down
  server::Server* server_ = nullptr;      // member_'s server, while up
  uint64_t incarnation_ = 0;  // durable boot counter (kept outside the disk model)
  uint64_t epoch_ = 0;        // invalidates events of an earlier incarnation
  bool ready_in_flight_ = false;
  bool paused_ = false;
  bool failed_ = false;
  bool damaged_ = false;
  std::string failure_;  // why recovery was refused
  std::deque<raft::Message> held_;  // delivered while paused
  // Snapshot reports that arrived while paused, applied on resume.
  std::vector<std::pair<raft::NodeId, bool>> held_reports_;
  int missed_ticks_ = 0;  // ticks that fell while paused, delivered on resume
  TimeNs slow_ = 0;
  TimeNs apply_lag_ = 0;
  bool apply_scheduled_ = false;  // an ApplyDeferred event is queued
  bool apply_due_ = false;        // it fell while paused: apply on resume
  bool crash_after_propose_ = false;
  DurableLog durable_;  // meaningful while down
  std::optional<raft::Ready> stalled_ready_;  // fsync waiting for a stall to end
  raft::StateRole last_role_ = raft::StateRole::kFollower;
  uint64_t last_term_ = 0;
};

}  // namespace raftlab::sim
