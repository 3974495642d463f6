// Workload: closed-loop clients. Each client sends one request at a time to
// a member (sticking to it until an error or timeout), waits for the answer
// or its timeout, records the operation in the history, thinks, repeats.
// Written values are unique ("c<client>-<n>"), so the checker can tell every
// write apart. After an indeterminate outcome a client continues under a
// fresh stream id (SEMANTICS.md S9.1). Each operation's key comes from the
// model's key distribution (uniform, zipf or one hot key; key_chooser.h).
//
// Optional (WorkloadModel, all off by default): compactions in the KV mix;
// watch clients that keep one logical watch open across member failures,
// resuming from the last delivered revision + 1 (or the announced compact
// revision), recording everything they receive; lease clients that grant,
// put keys under the lease, keep it alive, then revoke it or let it expire.
// Their randomness comes from one stream split off the workload's Prng only
// when any of them is on (workload_streams.cc).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/sim_records.h"
#include "core/base/prng.h"
#include "server.pb.h"
#include "sim/config.h"
#include "sim/core/trace.h"
#include "sim/history.h"
#include "sim/key_chooser.h"

namespace raftlab::sim {

// Records how a request ended on `op` (a HistoryOp or a lease AuxOp):
// "info" for a client timeout or an UNKNOWN outcome (no return time, since
// it may still take effect), "fail" for a definite error, else "ok".
template <class Op>
void RecordOutcome(const serverpb::ClientResponse* resp, TimeNs now, Op* op) {
  const bool definite = resp != nullptr && resp->outcome() != serverpb::OUTCOME_UNKNOWN;
  if (!definite) {
    op->status = "info";
    op->error = resp == nullptr ? "client timeout" : resp->error();
    return;
  }
  op->return_ns = now;
  if (resp->outcome() == serverpb::OUTCOME_ERROR) {
    op->status = "fail";
    op->error = resp->error();
  } else {
    op->status = "ok";
  }
}

class Workload {
 public:
  // submit(node, request) hands a request to a member; false if it is down.
  using SubmitFn = std::function<bool(raft::NodeId, const serverpb::ClientRequest&)>;

  Workload(const WorkloadModel& model, int nodes, Prng prng, EventQueue* queue, Trace* trace,
           SubmitFn submit);

  void Start();
  void Stop() { stopped_ = true; }
  void OnResponse(raft::NodeId node, const serverpb::ClientResponse& resp);
  // Ends the run: every operation still waiting becomes indeterminate.
  void Finish();

  const std::vector<HistoryOp>& history() const { return history_; }
  uint64_t completed_ok() const { return ok_; }
  // Client writes (put, delete, txn) sent to each member (index id - 1)
  // and acknowledged so far.
  const std::vector<uint64_t>& writes_invoked() const { return writes_invoked_; }
  uint64_t writes_ok() const { return writes_ok_; }

  // --- watch, lease and compaction clients (workload_streams.cc) ---------
  struct WatchFns {
    // Opens a watch on a member; nullopt if it is down or paused. The
    // member's responses then arrive through OnWatchResponses.
    std::function<std::optional<int64_t>(raft::NodeId, const etcdserverpb::WatchCreateRequest&)>
        open;
    std::function<void(raft::NodeId, int64_t watch_id)> cancel;
  };
  void set_watch_fns(WatchFns fns) { watch_fns_ = std::move(fns); }
  void OnWatchResponses(raft::NodeId node, int64_t watch_id,
                        const std::vector<etcdserverpb::WatchResponse>& responses);
  // The member crashed: its watch streams are gone.
  void OnMemberDown(raft::NodeId node);
  const std::vector<checker::WatchStream>& watch_streams() const { return watch_streams_; }
  const std::vector<checker::AuxOp>& lease_ops() const { return lease_ops_; }
  const std::vector<checker::AuxOp>& compactions() const { return compactions_; }

 private:
  struct Client {
    uint64_t stream = 0;
    raft::NodeId node = 1;
    uint64_t counter = 0;
    std::optional<uint64_t> pending;  // request id in flight
    std::string last_value;           // the last value this client saw or wrote
  };
  void Next(size_t c);
  void Issue(size_t c);
  void Complete(size_t c, const serverpb::ClientResponse* resp);
  serverpb::ClientRequest MakeRequest(Client& client, HistoryOp* op);
  void MakeCompaction(serverpb::ClientRequest* req, HistoryOp* op);
  void NoteOutcome(const HistoryOp& op);

  struct WatchClient {
    size_t stream = 0;  // index into watch_streams_
    raft::NodeId node = 1;
    std::optional<int64_t> watch_id;  // while connected
    uint64_t connection = 0;          // bumps on every connect; stale timers compare it
    TimeNs last_heard = 0;
    int64_t owed = 0;  // the start revision of the next connect; 0 only before the first
  };
  struct LeaseClient {
    uint64_t stream = 0;
    raft::NodeId node = 1;
    int64_t lease = 0;  // 0: none held
    int keys_put = 0;
    int keepalives = 0;
    int keepalives_planned = 0;
    uint64_t counter = 0;
    std::optional<uint64_t> pending;
  };
  void StartStreams();
  void ConnectWatch(size_t w);
  void HandleWatchResponses(size_t w, raft::NodeId node,
                            const std::vector<etcdserverpb::WatchResponse>& responses);
  void BreakWatch(size_t w, const std::string& reason, bool cancel);
  void ScheduleReconnect(size_t w);
  void ScheduleStallCheck(size_t w);
  void NextLease(size_t l, TimeNs delay);
  void IssueLease(size_t l);
  void CompleteLease(size_t l, const serverpb::ClientResponse* resp);
  void OnAuxResponse(raft::NodeId node, const serverpb::ClientResponse& resp);

  WorkloadModel model_;
  KeyChooser keys_;  // draws from prng_
  int nodes_;
  Prng prng_;
  EventQueue* queue_;
  Trace* trace_;
  SubmitFn submit_;
  bool stopped_ = false;
  std::vector<Client> clients_;
  std::map<uint64_t, std::pair<size_t, HistoryOp>> inflight_;  // request id -> (client, op)
  std::vector<HistoryOp> history_;
  uint64_t next_request_id_ = 0;
  uint64_t next_stream_ = 0;
  uint64_t ok_ = 0;
  std::vector<uint64_t> writes_invoked_;
  uint64_t writes_ok_ = 0;
  // Watch, lease and compaction clients.
  Prng stream_prng_{0};  // split from prng_ only when watch or lease clients are on
  int64_t known_revision_ = 1;        // the highest header revision any KV client saw
  int64_t last_delete_revision_ = 0;  // of the last acknowledged delete that deleted
  WatchFns watch_fns_;
  std::vector<WatchClient> watchers_;
  std::map<std::pair<raft::NodeId, int64_t>, size_t> watch_bindings_;  // (node, id) -> client
  bool connecting_ = false;
  std::vector<std::pair<std::pair<raft::NodeId, int64_t>,
                        std::vector<etcdserverpb::WatchResponse>>> orphans_;
  std::vector<LeaseClient> leasers_;
  std::map<uint64_t, std::pair<size_t, checker::AuxOp>> lease_inflight_;  // request id ->
  std::vector<checker::WatchStream> watch_streams_;
  std::vector<checker::AuxOp> lease_ops_;
  std::vector<checker::AuxOp> compactions_;
};

}  // namespace raftlab::sim
