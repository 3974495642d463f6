// Explanations of a linearizability violation, for people and report writers.
//
// Contract: given a history and a CheckResult with a kNotLinearizable
// partition (checked with keep_longest), builds
//   - the longest partial linearization the search found and the model state
//     after it,
//   - the operations that could be placed next in real time but are illegal
//     there (or lead only to dead ends),
//   - a minimal failing sub-history: delta debugging (ddmin) over the
//     partition's operations while the sub-history stays not linearizable
//     and explicable (every value read was written by a kept op; for etcd,
//     every header revision R has R - 1 kept ops that may bump it invoked
//     before it returned), so a lone read of an unwritten value or a lone
//     put whose revision nothing explains never passes for a core;
//     1-minimal unless the step budget runs out,
// rendered as a timeline with one line per client, or as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/linearizability.h"
#include "checker/models/model.h"

namespace raftlab::checker {

struct HistoryCounts {
  uint64_t total = 0;
  uint64_t ok = 0;
  uint64_t info = 0;
  uint64_t fail = 0;
};

HistoryCounts CountOps(const History& history);

struct Explanation {
  std::string key;
  std::vector<uint64_t> longest;      // history op ids, in linearization order
  std::string state_after_longest;
  std::vector<uint64_t> unplaceable;  // candidates for the next step, none works
  std::vector<uint64_t> illegal;      // the subset of unplaceable illegal right there
  std::vector<uint64_t> minimal;      // a minimal failing sub-history (history op ids)
  bool minimal_is_one_minimal = false;
};

// REQUIRES: result.FirstViolation() and keep_longest was set.
Explanation Explain(const History& prepared, const CheckResult& result, ModelKind model);

// Deletes operations while the sub-history stays not linearizable and every
// read still has a candidate writer (ddmin). When the full set already has
// a read of a value nobody wrote, that read alone is the answer.
// REQUIRES: the sub-history of `ids` is not linearizable.
std::vector<uint64_t> Shrink(const History& prepared, std::vector<uint64_t> ids,
                             ModelKind model, uint64_t checks_max, bool* one_minimal);

// A sub-history holding the given ops, renumbered (ids in history order).
History SubHistory(const History& prepared, const std::vector<uint64_t>& ids);

// One line per client; bars span each op's interval over the ranks of all event times.
std::string RenderTimeline(const History& prepared, const std::vector<uint64_t>& ids);

std::string ExplainText(const History& prepared, const CheckResult& result, ModelKind model);
std::string ExplainJson(const History& prepared, const CheckResult& result, ModelKind model);

}  // namespace raftlab::checker
