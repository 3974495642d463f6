// `raftlab replay SCENARIO --seed N [--bug NAME]... [--trace FILE]
//  [--history FILE]`: reruns one seed in this process, prints its trace hash
// (the one `raftlab run` reported) and its findings, and streams the
// human-readable trace to a file as the run produces it (memory stays
// bounded however long the run). Exit 0 pass, 1 a violation, 2 bad input,
// 3 unknown.
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scenario_args.h"
#include "core/base/check.h"
#include "sweep/seed_runner.h"

namespace raftlab::cli {
namespace {

struct ReplayFlags {
  std::string file;
  uint64_t seed = 0;
  BugFlags bugs;
  std::string trace;
  std::string history;
};

// The streamed trace, so a CHECK failure outside the simulated cluster (the
// cluster's own become `crash:` violations) can still flush what was written.
std::ofstream* streamed_trace_out = nullptr;
const std::string* streamed_trace_path = nullptr;

[[noreturn]] void OnCheckFailure(const std::string& message) {
  std::fflush(stdout);
  if (streamed_trace_out != nullptr) streamed_trace_out->flush();
  std::printf("VIOLATION crash: %s\n(the run stopped at this CHECK failure; the trace up to it "
              "is in %s)\n",
              message.c_str(), streamed_trace_path != nullptr ? streamed_trace_path->c_str() : "?");
  std::fflush(stdout);
  std::_Exit(kExitViolation);
}

int Replay(const ReplayFlags& flags) {
  Result<sim::Scenario> s = LoadWithBugs(flags.file, flags.bugs);
  if (!s) {
    PrintError(s.error().message);
    return kExitUsage;
  }
  const std::string trace_path =
      flags.trace.empty() ? fmt::format("{}.seed{}.trace.txt", s->name, flags.seed) : flags.trace;
  std::ofstream trace_out(trace_path);
  if (!trace_out) {
    PrintError(fmt::format("--trace {}: cannot write the trace there", trace_path));
    return kExitUsage;
  }
  sim::StreamTraceSink sink(&trace_out);
  streamed_trace_out = &trace_out;
  streamed_trace_path = &trace_path;
  SetCheckFailureHandler(&OnCheckFailure);
  sweep::SeedArtifacts art;
  sweep::RunOptions keep;
  keep.trace_sink = &sink;
  keep.keep_artifacts = true;
  const sweep::SeedOutcome o = sweep::RunSeed(*s, flags.seed, keep, &art);
  SetCheckFailureHandler(nullptr);
  streamed_trace_out = nullptr;
  streamed_trace_path = nullptr;
  trace_out.close();
  if (!trace_out) {
    PrintError(fmt::format("--trace {}: cannot write the trace there", trace_path));
    return kExitUsage;
  }
  if (!flags.history.empty()) std::ofstream(flags.history) << art.history_jsonl;
  std::printf("%s seed %lu trace hash %016lx\n", s->name.c_str(), flags.seed, o.trace_hash);
  std::printf("events %lu simulated %s faults %lu ops %lu; trace written to %s\n", o.events,
              sim::FormatDuration(o.sim_time).c_str(), o.faults, o.ops, trace_path.c_str());
  if (!s->bugs.empty()) std::printf("planted bugs: %s\n", s->bugs.ToString().c_str());
  for (const std::string& v : o.violations) std::printf("VIOLATION %s\n", v.c_str());
  if (!art.explanation.empty()) std::printf("\n%s", art.explanation.c_str());
  std::printf("verdict: %s\n", sweep::VerdictName(o.verdict));
  switch (o.verdict) {
    case sweep::Verdict::kPass: return kExitOk;
    case sweep::Verdict::kFail: return kExitViolation;
    case sweep::Verdict::kUnknown: return kExitUnknown;
  }
  return kExitViolation;
}

}  // namespace

void RegisterReplayCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand("replay", "Rerun one seed of a scenario and write its trace");
  cmd->add_option("scenario", f->file, "Scenario file (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--seed", f->seed, "The seed")->required();
  AddBugFlags(cmd, &f->bugs);
  cmd->add_option("--trace", f->trace, "Write the human-readable trace here (default NAME.seedN.trace.txt)");
  cmd->add_option("--history", f->history, "Write the client history (JSON lines) here");
  cmd->callback([f, exit_code] { *exit_code = Replay(*f); });
}

}  // namespace raftlab::cli
