// `raftlab check HISTORY`: the linearizability verdict of a recorded history.
//
// Exit codes (DESIGN.md §6): 0 linearizable, 1 not linearizable, 2 bad input,
// 3 unknown (the time or memory limit was reached).
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "checker/reader.h"
#include "cli/commands.h"

namespace raftlab::cli {
namespace {

using checker::HistoryFormat;
using checker::ModelKind;
using checker::Verdict;

struct CheckFlags {
  std::string path;
  std::string format = "auto";
  std::string model = "auto";
  double timeout_seconds = 0;  // only converted into the wall-clock limit
  uint64_t memory_mb = 2048;
  int jobs = 1;
  bool explain = false;
  bool json = false;
  bool no_partition = false;
};

// auto: Porcupine logs are kv; kv when any op appends; JSON lines carrying
// header revisions are etcd; otherwise cas-register.
ModelKind ChooseModel(const checker::History& history, HistoryFormat format) {
  if (format == HistoryFormat::kPorcupineKv) return ModelKind::kKv;
  bool revisions = false;
  for (const checker::Operation& op : history.ops) {
    if (op.f == checker::OpFunction::kAppend) return ModelKind::kKv;
    revisions = revisions || op.revision >= 0;
  }
  if (format == HistoryFormat::kJsonl && revisions) return ModelKind::kEtcd;
  return ModelKind::kCasRegister;
}

std::optional<ModelKind> ParseModel(const std::string& name) {
  for (ModelKind kind : {ModelKind::kRegister, ModelKind::kCasRegister, ModelKind::kKv,
                         ModelKind::kEtcd}) {
    if (name == checker::ModelKindName(kind)) return kind;
  }
  return std::nullopt;
}

int RunCheck(const CheckFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  auto format = checker::ParseHistoryFormat(flags.format);
  if (!format) {
    std::fprintf(stderr, "error: --format: expected auto, jsonl, jepsen-edn or porcupine-kv\n");
    return kExitUsage;
  }
  HistoryFormat used = *format;
  auto history = checker::ReadHistoryFile(flags.path, *format, &used);
  if (!history) {
    std::fprintf(stderr, "error: %s\n", history.error().message.c_str());
    return kExitUsage;
  }
  checker::CheckOptions options;
  if (flags.model == "auto") {
    options.model = ChooseModel(*history, used);
  } else if (auto model = ParseModel(flags.model); model.has_value()) {
    options.model = *model;
  } else {
    std::fprintf(stderr, "error: --model: expected auto, register, cas-register, kv or etcd\n");
    return kExitUsage;
  }
  options.partition = !flags.no_partition;
  options.jobs = flags.jobs;
  options.timeout_ms = static_cast<uint64_t>(flags.timeout_seconds * 1000);
  options.memory_bytes_max = flags.memory_mb << 20;
  options.keep_longest = flags.explain || flags.json;
  const checker::History prepared = checker::Prepare(*history);
  const auto check_start = std::chrono::steady_clock::now();
  auto result = checker::CheckHistory(prepared, flags.path, options);
  const auto check_end = std::chrono::steady_clock::now();
  if (!result) {
    std::fprintf(stderr, "error: %s\n", result.error().message.c_str());
    return kExitUsage;
  }
  const double read_ms = std::chrono::duration<double, std::milli>(check_start - start).count();
  const double check_ms =
      std::chrono::duration<double, std::milli>(check_end - check_start).count();
  checker::HistoryCounts counts = checker::CountOps(*history);
  std::printf("verdict: %s\n", checker::VerdictName(result->verdict));
  std::printf("%s\n", fmt::format("ops: {} ({} ok, {} info, {} fail dropped) in {} partition(s); "
                                  "format {}, model {}",
                                  counts.total, counts.ok, counts.info, counts.fail,
                                  result->partitions.size(), checker::HistoryFormatName(used),
                                  checker::ModelKindName(options.model)).c_str());
  std::printf("time: read %.1f ms, check %.1f ms%s\n", read_ms, check_ms,
              result->decided_by_revisions ? " (etcd revision fast path)" : "");
  if (result->verdict == Verdict::kNotLinearizable && flags.explain) {
    if (result->Explainable()) {
      std::printf("%s", checker::ExplainText(prepared, *result, options.model).c_str());
    } else {
      std::printf("no explanation: the etcd revision fast path found the violation and the "
                  "search could not rebuild it within its limits (--timeout, --memory-mb)\n");
    }
  }
  if (flags.json) {
    std::printf("%s\n", checker::ExplainJson(prepared, *result, options.model).c_str());
  }
  switch (result->verdict) {
    case Verdict::kLinearizable: return kExitOk;
    case Verdict::kNotLinearizable: return kExitViolation;
    case Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = app.add_subcommand("check", "Check a recorded history for linearizability");
  check->add_option("history", flags->path, "History file")->required();
  check->add_option("--format", flags->format, "auto|jsonl|jepsen-edn|porcupine-kv");
  check->add_option("--model", flags->model, "auto|register|cas-register|kv|etcd");
  check->add_option("--timeout", flags->timeout_seconds, "Time limit in seconds (0: none)")
      ->check(CLI::NonNegativeNumber);
  check->add_option("--memory-mb", flags->memory_mb, "Cache memory limit in MiB");
  check->add_option("--jobs", flags->jobs, "Partitions checked in parallel")
      ->check(CLI::Range(1, 256));
  check->add_flag("--explain", flags->explain,
                  "On a violation print the longest partial linearization and a minimal "
                  "failing sub-history");
  check->add_flag("--json", flags->json, "Print the result as one JSON object");
  check->add_flag("--no-partition", flags->no_partition, "Search the history as a whole");
  check->callback([flags, exit_code] { *exit_code = RunCheck(*flags); });
}

}  // namespace raftlab::cli
