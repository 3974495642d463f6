// `raftlab shrink SCENARIO --seed N [--bug NAME]... -o MIN.yaml`: minimizes
// a failing seed into a smaller scenario with an explicit fault schedule
// that still shows the same violation class (sweep/shrinker.h), writes it
// and prints how much smaller it got. Exit 0 written, 2 bad input or the
// seed does not fail.
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scenario_args.h"
#include "sweep/shrinker.h"

namespace raftlab::cli {
namespace {

struct ShrinkFlags {
  std::string file;
  uint64_t seed = 0;
  BugFlags bugs;
  std::string out;
  int max_runs = 400;
  bool verbose = false;
};

std::string Size(const sweep::ShrinkSize& s) {
  return fmt::format("{} fault events, {} clients, {} nodes, {} ops, {}", s.faults, s.clients,
                     s.nodes, s.ops, sim::FormatDuration(s.duration));
}

int RunShrink(const ShrinkFlags& flags) {
  Result<sim::Scenario> s = LoadWithBugs(flags.file, flags.bugs);
  if (!s) {
    PrintError(s.error().message);
    return kExitUsage;
  }
  sweep::ShrinkOptions options;
  options.max_runs = flags.max_runs;
  if (flags.verbose) options.progress = [](const std::string& m) { std::printf("  %s\n", m.c_str()); };
  Result<sweep::ShrinkResult> r = sweep::Shrink(*s, flags.seed, options);
  if (!r) {
    PrintError(r.error().message);
    return kExitUsage;
  }
  r->scenario.name = s->name + "-min";
  r->scenario.expect.violation = r->violation_class;
  const std::string header = fmt::format(
      "Shrunk by `raftlab shrink` from {} seed {}{}.\nViolation class: {}\n"
      "Before: {}\nAfter:  {}\nReproduce: raftlab run {} (it must fail on its seed)",
      s->file, flags.seed, s->bugs.empty() ? "" : " with bugs " + s->bugs.ToString(),
      r->violation_class, Size(r->before), Size(r->after), flags.out);
  std::ofstream out(flags.out);
  out << sim::WriteScenario(r->scenario, header);
  if (!out) {
    PrintError(fmt::format("-o {}: cannot write there", flags.out));
    return kExitUsage;
  }
  std::printf("violation class: %s\n", r->violation_class.c_str());
  std::printf("before: %s\n", Size(r->before).c_str());
  std::printf("after:  %s\n", Size(r->after).c_str());
  std::printf("%d candidate runs; wrote %s\n", r->runs, flags.out.c_str());
  return kExitOk;
}

}  // namespace

void RegisterShrinkCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ShrinkFlags>();
  CLI::App* cmd = app.add_subcommand("shrink", "Minimize a failing seed into a small reproducer scenario");
  cmd->add_option("scenario", f->file, "Scenario file (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--seed", f->seed, "The failing seed")->required();
  AddBugFlags(cmd, &f->bugs);
  cmd->add_option("-o,--out", f->out, "Write the minimal scenario here")->required();
  cmd->add_option("--max-runs", f->max_runs, "Candidate runs at most")->check(CLI::Range(1, 100000));
  cmd->add_flag("-v,--verbose", f->verbose, "Print each reduction that was kept");
  cmd->callback([f, exit_code] { *exit_code = RunShrink(*f); });
}

}  // namespace raftlab::cli
