#include "sim/run_checks.h"

#include <algorithm>

#include <fmt/format.h>

#include "checker/sim_checks.h"

namespace raftlab::sim {
namespace {

constexpr size_t kFindingsPerChecker = 10;

void Append(std::vector<std::string> findings, std::vector<std::string>* out) {
  if (findings.size() > kFindingsPerChecker) findings.resize(kFindingsPerChecker);
  for (std::string& f : findings) out->push_back(std::move(f));
}

}  // namespace

std::vector<checker::AckedWrite> AckedWrites(const SimResult& result) {
  std::vector<checker::AckedWrite> out;
  for (const HistoryOp& op : result.history) {
    if (op.status != "ok" || !op.revision) continue;
    checker::AckedWrite w;
    w.origin = fmt::format("client {} op {}", op.client, op.op_id);
    w.key = op.key;
    w.revision = *op.revision;
    if (op.f == "put" || (op.f == "txn" && op.succeeded.value_or(false))) {
      w.value = op.value.value_or("");
    } else if (op.f == "delete" && op.deleted.value_or(0) > 0) {
      w.is_delete = true;
    } else {
      continue;
    }
    out.push_back(std::move(w));
  }
  for (const checker::AuxOp& op : result.lease_ops) {
    if (op.f != "put" || op.status != "ok" || !op.revision) continue;
    out.push_back(checker::AckedWrite{fmt::format("lease client {} op {}", op.client, op.op_id),
                                      op.key, false, op.value, *op.revision});
  }
  return out;
}

std::vector<std::string> CheckRecordedRun(const SimConfig& config, const SimResult& result) {
  std::vector<std::string> out;
  Append(checker::CheckWatchStreams(result.committed, result.watch_streams, result.compactions),
         &out);
  // A fast leader clock legitimately expires a lease early in real time:
  // allow the fastest drift this run can have. A forward clock jump may
  // expire any lease at once, so with jumps the lease check cannot judge.
  checker::LeaseCheckOptions lease;
  bool jumps = false;
  for (FaultKind k : config.nemesis.kinds) {
    if (!config.nemesis.enabled) break;
    if (k == FaultKind::kClockDrift) lease.clock_fast_ppm_max = std::max<int64_t>(lease.clock_fast_ppm_max, 500'000);
    jumps = jumps || k == FaultKind::kClockJump;
  }
  for (const FaultEvent& e : config.schedule) {
    if (e.kind == FaultKind::kClockDrift) lease.clock_fast_ppm_max = std::max(lease.clock_fast_ppm_max, e.amount);
    jumps = jumps || (e.kind == FaultKind::kClockJump && e.amount > 0);
  }
  if (!jumps) Append(checker::CheckLeases(result.committed, result.lease_ops, lease), &out);
  Append(checker::CheckDurability(result.committed, AckedWrites(result)), &out);
  return out;
}

}  // namespace raftlab::sim
