#include "checker/explain.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::checker {

HistoryCounts CountOps(const History& history) {
  HistoryCounts counts;
  for (const Operation& op : history.ops) {
    ++counts.total;
    if (op.status == OpStatus::kOk) ++counts.ok;
    if (op.status == OpStatus::kInfo) ++counts.info;
    if (op.status == OpStatus::kFail) ++counts.fail;
  }
  return counts;
}

History SubHistory(const History& prepared, const std::vector<uint64_t>& ids) {
  History sub;
  sub.source = prepared.source;
  std::vector<uint64_t> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  for (uint64_t id : sorted) {
    Operation op = prepared.ops[id];
    op.id = sub.ops.size();
    sub.ops.push_back(std::move(op));
  }
  return sub;
}

namespace {

// Whether `text` splits into a start (a put value or "") followed by
// appended pieces, all taken from ops in `ids` on `key` (pieces may repeat:
// a cheap over-approximation of "reachable").
bool SpelledByWrites(const History& prepared, const std::vector<uint64_t>& ids,
                     const std::string& key, const std::string& text) {
  std::vector<char> reachable(text.size() + 1, 0);
  reachable[0] = 1;
  std::vector<const std::string*> pieces;
  for (uint64_t id : ids) {
    const Operation& op = prepared.ops[id];
    if (op.key != key || op.input.empty()) continue;
    const Value& written = op.input.back();
    if (written.kind != Value::Kind::kString) continue;
    if (op.f == OpFunction::kAppend) pieces.push_back(&written.text);
    const bool starts = op.f != OpFunction::kAppend && text.rfind(written.text, 0) == 0;
    if (starts) reachable[written.text.size()] = 1;
  }
  for (size_t at = 0; at < text.size(); ++at) {
    if (!reachable[at]) continue;
    for (const std::string* piece : pieces) {
      if (piece->empty() || text.compare(at, piece->size(), *piece) != 0) continue;
      reachable[at + piece->size()] = 1;
    }
  }
  return reachable[text.size()] == 1;
}

// Whether read `r` could have seen its value from ops in `ids` (or the
// initial value): an equal write, or for strings a spelling by puts and appends.
bool ReadExplicable(const History& prepared, const std::vector<uint64_t>& ids, uint64_t r) {
  const Operation& read = prepared.ops[r];
  const Value& seen = read.output[0];
  if (seen.IsNil()) return true;
  if (seen.kind == Value::Kind::kString) {
    return SpelledByWrites(prepared, ids, read.key, seen.text);
  }
  for (uint64_t id : ids) {
    const Operation& w = prepared.ops[id];
    if (w.f == OpFunction::kRead || w.input.empty() || w.key != read.key) continue;
    if (w.input.back() == seen) return true;  // write value, or cas new
  }
  return false;
}

// Whether `op` may have moved the etcd revision: a put, a delete that
// deleted something (or may have), a txn that succeeded (or may have).
bool MayBumpRevision(const Operation& op) {
  switch (op.f) {
    case OpFunction::kRead: return false;
    case OpFunction::kDelete: return op.deleted != 0;
    case OpFunction::kCas: return op.succeeded || op.IsIndeterminate();
    case OpFunction::kWrite:
    case OpFunction::kAppend: return true;
  }
  return true;
}

// Etcd model: whether the header revision R of every response in `ids` can
// be reached, i.e. at least R - 1 ops of `ids` that may bump the revision
// were invoked before that response returned (a fresh cluster is at 1).
// Without this, dropping the writes before a response gives a trivial
// "minimal" history: one put whose revision no remaining op explains.
bool RevisionsReachable(const History& prepared, const std::vector<uint64_t>& ids) {
  std::vector<uint64_t> bump_invokes;
  for (uint64_t id : ids) {
    if (MayBumpRevision(prepared.ops[id])) bump_invokes.push_back(prepared.ops[id].invoke_ns);
  }
  std::sort(bump_invokes.begin(), bump_invokes.end());
  for (uint64_t id : ids) {
    const Operation& op = prepared.ops[id];
    if (op.revision < 0 || op.IsIndeterminate()) continue;
    const auto before = static_cast<int64_t>(
        std::upper_bound(bump_invokes.begin(), bump_invokes.end(), op.return_ns) -
        bump_invokes.begin());
    if (before < op.revision - 1) return false;
  }
  return true;
}

// Whether every read in `ids` is explicable (and, for etcd, every revision
// reachable). Without this, deleting the writes a read saw gives trivial
// "minimal" histories: a lone read of a value nobody wrote.
bool Explicable(const History& prepared, const std::vector<uint64_t>& ids, ModelKind model) {
  for (uint64_t r : ids) {
    if (prepared.ops[r].f != OpFunction::kRead) continue;
    if (!ReadExplicable(prepared, ids, r)) return false;
  }
  return model != ModelKind::kEtcd || RevisionsReachable(prepared, ids);
}

bool StillFails(const History& prepared, const std::vector<uint64_t>& ids, ModelKind model) {
  if (!Explicable(prepared, ids, model)) return false;
  return CheckVerdict(SubHistory(prepared, ids), model, false) == Verdict::kNotLinearizable;
}

// The candidates for the step after `longest`: every op not yet placed that
// was invoked no later than the earliest return among the unplaced ones.
void FindUnplaceable(const History& prepared, const PartitionResult& partition, ModelKind kind,
                     Explanation* out) {
  Model model(kind);
  std::map<uint64_t, CompiledOp> compiled;
  for (uint64_t id : partition.op_ids) {
    auto op = model.Compile(prepared.ops[id], prepared.source);
    CHECK(op.has_value());
    compiled[id] = *op;
  }
  Model::State state = model.Initial();
  for (uint64_t id : partition.longest) {
    Model::State next = 0;
    CHECK(model.Step(state, compiled[id], &next));
    state = next;
  }
  const std::set<uint64_t> placed(partition.longest.begin(), partition.longest.end());
  uint64_t earliest_return = kInfinity;
  for (uint64_t id : partition.op_ids) {
    if (placed.contains(id)) continue;
    earliest_return = std::min(earliest_return, prepared.ops[id].return_ns);
  }
  for (uint64_t id : partition.op_ids) {
    if (placed.contains(id) || prepared.ops[id].invoke_ns > earliest_return) continue;
    out->unplaceable.push_back(id);
    Model::State next = 0;
    if (!model.Step(state, compiled[id], &next)) out->illegal.push_back(id);
  }
}

}  // namespace

std::vector<uint64_t> Shrink(const History& prepared, std::vector<uint64_t> ids,
                             ModelKind model, uint64_t checks_max, bool* one_minimal) {
  // A failure that is itself inexplicable (a read of a value never written)
  // shrinks to that read alone; otherwise every step keeps reads explicable.
  if (!Explicable(prepared, ids, model)) {
    for (uint64_t id : ids) {  // the first inexplicable read fails on its own
      if (prepared.ops[id].f != OpFunction::kRead) continue;
      if (ReadExplicable(prepared, ids, id)) continue;
      const bool fails = CheckVerdict(SubHistory(prepared, {id}), model, false) ==
                         Verdict::kNotLinearizable;
      if (one_minimal != nullptr) *one_minimal = fails;
      if (fails) return {id};
    }
    if (one_minimal != nullptr) *one_minimal = false;
    return ids;
  }
  uint64_t checks = 0;
  size_t chunks = 2;
  while (ids.size() >= 2) {
    const size_t chunk = (ids.size() + chunks - 1) / chunks;
    bool reduced = false;
    // Try removing each chunk (testing complements, as in ddmin).
    for (size_t start = 0; start < ids.size() && checks < checks_max; start += chunk) {
      std::vector<uint64_t> rest(ids.begin(), ids.begin() + start);
      rest.insert(rest.end(), ids.begin() + std::min(ids.size(), start + chunk), ids.end());
      ++checks;
      if (!rest.empty() && StillFails(prepared, rest, model)) {
        ids = std::move(rest);
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (checks >= checks_max) break;
    if (reduced) continue;
    if (chunk == 1) break;  // every single removal was tried: 1-minimal
    chunks = std::min(ids.size(), chunks * 2);
  }
  if (one_minimal != nullptr) *one_minimal = checks < checks_max;
  CHECK(!ids.empty());
  return ids;
}

Explanation Explain(const History& prepared, const CheckResult& result, ModelKind model) {
  const std::optional<size_t> index = result.FirstViolation();
  CHECK(index.has_value());
  const PartitionResult& partition = result.partitions[*index];
  Explanation out;
  out.key = partition.key;
  out.longest = partition.longest;
  out.state_after_longest = partition.longest_state;
  FindUnplaceable(prepared, partition, model, &out);
  out.minimal = Shrink(prepared, partition.op_ids, model, 4000, &out.minimal_is_one_minimal);
  std::sort(out.minimal.begin(), out.minimal.end());
  return out;
}

}  // namespace raftlab::checker
