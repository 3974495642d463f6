// Simulation: one seeded run of an N-member cluster with clients and a
// random nemesis — a safety phase with faults, then a liveness phase that
// heals everything and requires a leader, a committed write and converged
// replicas within a bound. Single-threaded; a pure function of the config.
//
// Randomness: one root Prng from the seed, split in a fixed order into a
// stream per subsystem (network, workload, nemesis, then per node: raft
// timeouts and disk), so extra draws in one subsystem never shift another.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/raft/invariants.h"
#include "checker/sim_records.h"
#include "sim/commit_safety.h"
#include "sim/committed_log.h"
#include "sim/config.h"
#include "sim/core/trace.h"
#include "sim/availability.h"
#include "sim/fault_injector.h"
#include "sim/history.h"
#include "sim/nemesis.h"
#include "sim/network.h"
#include "sim/node_host.h"
#include "sim/workload.h"

namespace raftlab::sim {

struct SimStats {
  uint64_t events = 0;
  TimeNs sim_time = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_dropped = 0;
  uint64_t faults = 0;
  uint64_t ops_ok = 0;
  uint64_t ops_fail = 0;
  uint64_t ops_info = 0;
};

struct SimResult {
  uint64_t trace_hash = 0;
  std::vector<std::string> violations;  // invariant, convergence and liveness findings
  std::vector<HistoryOp> history;
  std::vector<std::string> trace_lines;  // when keep_trace_lines
  std::vector<uint64_t> hash_history;    // when keep_hash_history
  std::vector<FaultEvent> faults;        // every fault fired, targets resolved
  SimStats stats;
  // Watch, lease and compaction clients (WorkloadModel; empty when off) and
  // the committed write order the watch/lease/durability checkers used.
  std::vector<checker::WatchStream> watch_streams;
  std::vector<checker::AuxOp> lease_ops;
  std::vector<checker::AuxOp> compactions;
  checker::CommittedHistory committed;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& config);
  SimResult Run();

 private:
  void RunPhases();
  void RunUntil(TimeNs end);
  void CheckInvariants();
  // Records a broken Raft invariant; the run stops at the next event.
  void ReportRaftViolation(const std::string& what);
  void CheckRecoveries();
  void CheckCommitSafety(raft::NodeId node);  // sim/commit_safety.h
  // Delivers m; after an accepted MsgApp, runs the stale-tail check.
  void Deliver(const raft::Message& m);
  void ProbeAvailability();
  bool Converged();
  raft::NodeId LeaderOrZero();

  SimConfig config_;
  Prng root_;
  EventQueue queue_;
  Trace trace_;
  std::unique_ptr<Network> network_;
  std::unique_ptr<Workload> workload_;
  std::vector<std::unique_ptr<NodeHost>> nodes_;  // index = id - 1
  std::unique_ptr<FaultInjector> injector_;
  std::unique_ptr<Nemesis> nemesis_;
  std::unique_ptr<AvailabilityMonitor> availability_;
  bool safety_broken_ = false;  // a Raft invariant broke: the run stops
  raft::Invariants invariants_;
  // Kept between checks so each copies the logs into the same buffers.
  std::vector<raft::NodeView> views_;
  std::vector<std::string> violations_;
  std::vector<MemberLog> commit_safety_members_;  // reused buffer
  bool commit_safety_reported_ = false;
  CommittedLog committed_;  // the oracle for the checkers in run_checks.h
};

// Runs the same seed twice and reports the first event at which the two
// traces differ ("" if they are identical).
std::string CheckDeterminism(const SimConfig& config);

}  // namespace raftlab::sim
