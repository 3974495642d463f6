#include "checker/linearizability.h"

#include <atomic>
#include <cstdint>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "checker/revision_fast_path.h"
#include "core/base/check.h"

namespace raftlab::checker {

std::optional<size_t> CheckResult::FirstViolation() const {
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (partitions[i].verdict == Verdict::kNotLinearizable) return i;
  }
  return std::nullopt;
}

namespace {

struct Partition {
  std::string key;
  std::vector<uint64_t> op_ids;
};

std::vector<Partition> Split(const History& history, bool by_key) {
  std::map<std::string, std::vector<uint64_t>> groups;
  for (const Operation& op : history.ops) {
    groups[by_key ? op.key : std::string()].push_back(op.id);
  }
  std::vector<Partition> out;
  for (auto& [key, ids] : groups) out.push_back(Partition{key, std::move(ids)});
  return out;
}

PartitionResult ToPartitionResult(const Partition& partition, const Model& model,
                                  const SearchResult& found, bool keep_longest) {
  PartitionResult result;
  result.key = partition.key;
  result.verdict = found.verdict;
  result.op_ids = partition.op_ids;
  for (uint32_t i : found.longest) result.longest.push_back(partition.op_ids[i]);
  if (keep_longest) result.longest_state = model.Describe(found.longest_state);
  result.cache_entries = found.cache_entries;
  result.steps = found.steps;
  result.memory_bytes = found.memory_bytes;
  return result;
}

// Runs fn(p) for every p in `work` on up to `jobs` threads.
template <class Fn>
void ParallelFor(const std::vector<size_t>& work, int jobs, const Fn& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < work.size(); i = next++) fn(work[i]);
  };
  const size_t threads = std::min<size_t>(static_cast<size_t>(jobs), work.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
}

// The etcd fast path's answer as a CheckResult, when it decides.
std::optional<CheckResult> TryRevisionFastPath(const History& prepared) {
  const std::optional<Verdict> verdict = CheckByRevisions(prepared);
  if (!verdict.has_value()) return std::nullopt;
  CheckResult result;
  result.verdict = *verdict;
  result.decided_by_revisions = true;
  PartitionResult whole;
  whole.verdict = *verdict;
  for (const Operation& op : prepared.ops) whole.op_ids.push_back(op.id);
  result.partitions.push_back(std::move(whole));
  return result;
}

// Partitions advance in rounds with a doubling step budget, so an easy
// violation in one partition is found before a hard partition is finished.
// A round's outcome depends only on step counts, never on thread timing:
// after the first round that finds any violation, the first in key order is
// reported; unfinished partitions report kUnknown (not searched to the end).
std::vector<SearchResult> RunRounds(std::vector<Model>& models,
                                    const std::vector<std::vector<SearchOp>>& inputs,
                                    const SearchLimits& limits, const CheckOptions& options) {
  CHECK_EQ(models.size(), inputs.size());
  const size_t n = models.size();
  std::vector<std::unique_ptr<LinearizationSearch>> searches(n);
  std::vector<size_t> running(n);
  for (size_t p = 0; p < n; ++p) running[p] = p;
  std::vector<char> finished(n, 0);
  std::vector<SearchResult> results(n);  // kUnknown unless finished
  std::vector<uint64_t> steps_at_round_start(n, 0);
  bool violation = false;
  for (uint64_t budget = uint64_t{1} << 10; !running.empty() && !violation; budget *= 2) {
    // Within a round, once partition v found a violation, partitions after v
    // cannot change the outcome (the first in key order is reported), so they
    // are skipped; every partition before v still runs its budget.
    std::atomic<size_t> first_violation{SIZE_MAX};
    ParallelFor(running, options.jobs, [&](size_t p) {
      if (p > first_violation.load()) return;
      if (!searches[p]) {
        searches[p] = std::make_unique<LinearizationSearch>(models[p], inputs[p], limits,
                                                            options.keep_longest,
                                                            options.lookahead);
      }
      finished[p] = searches[p]->Resume(budget) ? 1 : 0;
      if (!finished[p]) return;
      results[p] = searches[p]->TakeResult();
      searches[p].reset();  // free the cache now, so the next partition reuses the memory
      if (results[p].verdict != Verdict::kNotLinearizable) return;
      size_t seen = first_violation.load();
      while (p < seen && !first_violation.compare_exchange_weak(seen, p)) {
      }
    });
    std::vector<size_t> still_running;
    for (size_t p : running) {
      if (!finished[p]) still_running.push_back(p);
      if (finished[p]) violation = violation || results[p].verdict == Verdict::kNotLinearizable;
    }
    for (size_t p : running) {
      if (violation && p > first_violation.load()) {
        // Whether it ran in this round depends on thread timing: report it
        // as it stood when the round began.
        results[p] = SearchResult{};
        results[p].steps = steps_at_round_start[p];
        searches[p].reset();
      } else if (!finished[p]) {
        steps_at_round_start[p] = searches[p]->result().steps;
      }
    }
    running = std::move(still_running);
  }
  for (size_t p = 0; p < n; ++p) {
    if (searches[p]) results[p].steps = steps_at_round_start[p];  // unfinished
  }
  return results;
}

// Any violation wins, then any unknown.
Verdict Combine(const std::vector<PartitionResult>& partitions) {
  Verdict verdict = Verdict::kLinearizable;
  for (const PartitionResult& partition : partitions) {
    if (partition.verdict == Verdict::kNotLinearizable) return Verdict::kNotLinearizable;
    if (partition.verdict == Verdict::kUnknown) verdict = Verdict::kUnknown;
  }
  return verdict;
}

}  // namespace

Result<CheckResult> CheckHistory(const History& prepared, const std::string& source,
                                 const CheckOptions& options) {
  CHECK_GE(options.jobs, 1);
  const bool fast = options.model == ModelKind::kEtcd && options.revision_fast_path;
  // The fast path's verdict stands whatever else is asked for (an
  // explanation must not turn a decided history into "unknown"); the search
  // runs after it only to explain a violation with a longest linearization.
  std::optional<CheckResult> decided;
  if (fast) {
    decided = TryRevisionFastPath(prepared);
    if (decided && (!options.keep_longest || decided->verdict != Verdict::kNotLinearizable)) {
      return *decided;
    }
  }
  const std::vector<Partition> partitions =
      Split(prepared, options.partition && Model::Partitionable(options.model));
  // Compile every op up front so input errors come before any search runs.
  std::vector<std::vector<SearchOp>> inputs(partitions.size());
  std::vector<Model> models;
  for (size_t p = 0; p < partitions.size(); ++p) {
    Model& model = models.emplace_back(options.model);
    for (uint64_t id : partitions[p].op_ids) {
      const Operation& op = prepared.ops[id];
      CHECK_EQ(op.id, id);
      auto compiled = model.Compile(op, source);
      if (!compiled) return tl::unexpected(compiled.error());
      inputs[p].push_back(SearchOp{*compiled, op.invoke_ns, op.return_ns});
    }
  }
  std::atomic<uint64_t> memory_in_use{0};
  SearchLimits limits;
  limits.memory_bytes_max = options.memory_bytes_max;
  limits.memory_bytes_in_use = &memory_in_use;
  limits.steps_max = options.steps_max;
  if (options.timeout_ms > 0) {
    limits.deadline = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(options.timeout_ms);
  }
  const std::vector<SearchResult> found = RunRounds(models, inputs, limits, options);
  CheckResult result;
  for (size_t p = 0; p < partitions.size(); ++p) {
    result.partitions.push_back(
        ToPartitionResult(partitions[p], models[p], found[p], options.keep_longest));
  }
  result.verdict = Combine(result.partitions);
  CHECK_EQ(memory_in_use.load(), 0u);  // every search returned its bytes
  // The search could not rebuild the fast path's violation within its
  // limits: the verdict is still the fast path's, without an explanation.
  if (decided && result.verdict != Verdict::kNotLinearizable) return *decided;
  return result;
}

Verdict CheckVerdict(const History& prepared, ModelKind model, bool partition) {
  CheckOptions options;
  options.model = model;
  options.partition = partition;
  options.revision_fast_path = false;
  auto result = CheckHistory(prepared, prepared.source, options);
  CHECK(result.has_value());
  return result->verdict;
}

}  // namespace raftlab::checker
