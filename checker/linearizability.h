// Linearizability checking of a whole history: partitioning, compilation,
// parallel search and the combined verdict.
//
// Contract: CheckHistory takes a Prepare()d history. With `partition` set the
// history is split per key (every model here is P-compositional) and each
// partition is searched on its own, possibly on `jobs` threads. The verdict
// never depends on thread timing: partitions are independent, results are
// combined in key order, and only the wall-clock/memory/step limits can turn a
// verdict into kUnknown. Combined: any kNotLinearizable wins, else any
// kUnknown, else kLinearizable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/models/model.h"
#include "checker/wgl_search.h"
#include "core/base/result.h"

namespace raftlab::checker {

struct CheckOptions {
  ModelKind model = ModelKind::kCasRegister;
  bool partition = true;
  int jobs = 1;
  uint64_t timeout_ms = 0;  // 0: no time limit
  uint64_t steps_max = 0;   // search steps per partition (0: no limit); machine-independent
  uint64_t memory_bytes_max = uint64_t{2} << 30;
  bool keep_longest = false;  // record the longest partial linearization (explanations)
  // kv: prune by what later reads need (wgl_search.h); off with keep_longest.
  // Only tests turn it off, to compare against the plain search.
  bool lookahead = true;
  // etcd only: decide by revisions when possible (revision_fast_path.h); it
  // gives no explanation, so keep_longest turns it off.
  bool revision_fast_path = true;
};

struct PartitionResult {
  std::string key;  // "" when not partitioned
  Verdict verdict = Verdict::kUnknown;
  std::vector<uint64_t> op_ids;   // history ids of the partition's ops, in history order
  std::vector<uint64_t> longest;  // history ids, in linearization order (keep_longest)
  std::string longest_state;      // model state after `longest`
  uint64_t cache_entries = 0;
  uint64_t steps = 0;
  uint64_t memory_bytes = 0;
};

struct CheckResult {
  Verdict verdict = Verdict::kUnknown;
  std::vector<PartitionResult> partitions;  // in key order
  // The etcd fast path decided. Its partition has no longest linearization:
  // a violation it found has no explanation (Explainable() is false).
  bool decided_by_revisions = false;
  // The first partition (in key order) that is not linearizable, if any.
  std::optional<size_t> FirstViolation() const;
  // Whether Explain() can run: a violation found by the search.
  bool Explainable() const { return FirstViolation().has_value() && !decided_by_revisions; }
};

// Errors: an operation the model cannot run (names its source line).
Result<CheckResult> CheckHistory(const History& prepared, const std::string& source,
                                 const CheckOptions& options);

// Verdict only; CHECKs that the model supports every op (tests, shrinking).
// The etcd fast path is off here, so this is always the WGL verdict.
Verdict CheckVerdict(const History& prepared, ModelKind model, bool partition);

}  // namespace raftlab::checker
