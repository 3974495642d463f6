// The Wing–Gong–Lowe linearizability search over one partition.
//
// Contract: given compiled operations with closed [invoke, return] intervals
// (return = kInfinity for indeterminate ones), decides whether some total
// order respecting real time is legal for the model. Indeterminate operations
// may also be left out (they took effect "never", or after everything).
// The search is single-threaded and deterministic: for the same input it
// explores the same nodes in the same order; only the limits (wall time,
// bytes of cache shared with concurrent searches) can cut it short, giving
// kUnknown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "checker/models/model.h"

namespace raftlab::checker {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

const char* VerdictName(Verdict verdict);

struct SearchLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  uint64_t memory_bytes_max = uint64_t{2} << 30;
  // Bytes of cache held by all searches running at once (shared; may be null).
  std::atomic<uint64_t>* memory_bytes_in_use = nullptr;
};

struct SearchOp {
  CompiledOp op;
  uint64_t invoke_ns = 0;
  uint64_t return_ns = 0;
};

struct SearchResult {
  Verdict verdict = Verdict::kUnknown;
  // The longest legal prefix found (indices into the input), kept only when
  // asked, and the model state after it.
  std::vector<uint32_t> longest;
  Model::State longest_state = 0;
  uint64_t cache_entries = 0;
  uint64_t steps = 0;
  uint64_t memory_bytes = 0;
};

SearchResult SearchLinearization(Model& model, const std::vector<SearchOp>& ops,
                                 const SearchLimits& limits, bool keep_longest);

}  // namespace raftlab::checker
