// Workload: closed-loop clients. Each client sends one request at a time to
// a member (sticking to it until an error or timeout), waits for the answer
// or its timeout, records the operation in the history, thinks, repeats.
// Written values are unique ("c<client>-<n>"), so the checker can tell every
// write apart. After an indeterminate outcome a client continues under a
// fresh stream id (SEMANTICS.md S9.1).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "server.pb.h"
#include "sim/config.h"
#include "sim/core/trace.h"
#include "sim/history.h"

namespace raftlab::sim {

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

  WorkloadModel model_;
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
};

}  // namespace raftlab::sim
