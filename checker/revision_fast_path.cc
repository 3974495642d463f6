#include "checker/revision_fast_path.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/base/check.h"

namespace raftlab::checker {
namespace {

bool BumpsRevision(const Operation& op) {
  if (op.f == OpFunction::kWrite) return true;
  return op.f == OpFunction::kCas && op.succeeded;
}

// Whether the fast path applies (see the header).
bool Applies(const History& history) {
  for (const Operation& op : history.ops) {
    if (op.status != OpStatus::kOk) return false;
    if (op.revision < 0) return false;
    if (op.f == OpFunction::kDelete || op.f == OpFunction::kAppend) return false;
  }
  return true;
}

// The order: each write opens the gap of its revision; reads and failed txns
// sit in the gap of their header revision, by invocation time (which never
// breaks real time among themselves). Real time holds iff no op returned
// before an op placed earlier was invoked.
bool RespectsRealTime(const History& history, const std::vector<uint64_t>& order) {
  uint64_t invoke_max = 0;
  for (uint64_t id : order) {
    const Operation& op = history.ops[id];
    if (op.return_ns < invoke_max) return false;
    invoke_max = std::max(invoke_max, op.invoke_ns);
  }
  return true;
}

}  // namespace

std::optional<Verdict> CheckByRevisions(const History& prepared) {
  if (!Applies(prepared)) return std::nullopt;
  // writes[r - 2] is the write of revision r.
  std::vector<std::optional<uint64_t>> writes;
  std::vector<uint64_t> observers;  // reads and failed txns
  for (const Operation& op : prepared.ops) {
    if (!BumpsRevision(op)) {
      observers.push_back(op.id);
      continue;
    }
    if (op.revision < 2) return Verdict::kNotLinearizable;
    const size_t index = static_cast<size_t>(op.revision - 2);
    if (index >= prepared.ops.size()) return Verdict::kNotLinearizable;  // a gap for sure
    if (writes.size() <= index) writes.resize(index + 1);
    if (writes[index].has_value()) return Verdict::kNotLinearizable;  // two writes, one revision
    writes[index] = op.id;
  }
  for (const auto& write : writes) {
    if (!write.has_value()) return Verdict::kNotLinearizable;  // a bump no op accounts for
  }
  const int64_t revision_max = static_cast<int64_t>(writes.size()) + 1;
  // gap r holds the ops placed at revision r: the write of r first, then observers.
  std::vector<std::vector<uint64_t>> gaps(writes.size() + 2);
  for (size_t i = 0; i < writes.size(); ++i) gaps[i + 2].push_back(*writes[i]);
  std::stable_sort(observers.begin(), observers.end(), [&](uint64_t x, uint64_t y) {
    return prepared.ops[x].invoke_ns < prepared.ops[y].invoke_ns;
  });
  for (uint64_t id : observers) {
    const int64_t revision = prepared.ops[id].revision;
    if (revision < 1 || revision > revision_max) return Verdict::kNotLinearizable;
    gaps[static_cast<size_t>(revision)].push_back(id);
  }
  // Replay in that order, checking every observation and compare.
  std::map<std::string, Value> store;
  std::vector<uint64_t> order;
  for (const std::vector<uint64_t>& gap : gaps) {
    for (uint64_t id : gap) {
      const Operation& op = prepared.ops[id];
      order.push_back(id);
      auto found = store.find(op.key);
      const Value current = found == store.end() ? Value::Nil() : found->second;
      if (op.f == OpFunction::kRead) {
        CHECK_EQ(op.output.size(), 1u);
        if (!(op.output[0] == current)) return Verdict::kNotLinearizable;
      } else if (op.f == OpFunction::kWrite) {
        store[op.key] = op.input[0];
      } else {
        CHECK(op.f == OpFunction::kCas);
        const bool holds = current == op.input[0];
        if (holds != op.succeeded) return Verdict::kNotLinearizable;
        if (holds) store[op.key] = op.input[1];
      }
    }
  }
  if (!RespectsRealTime(prepared, order)) return Verdict::kNotLinearizable;
  return Verdict::kLinearizable;
}

}  // namespace raftlab::checker
