// `raftlab run SCENARIO... [--seed N | --seeds A..B] [--jobs N] [--shard I/N]
//  [--bug NAME]... [--without-bugs] [--out DIR]`: sweeps seeds through the
// simulator and the checkers (DESIGN.md §6). Each seed runs in its own
// process, so --jobs never changes a seed's result and a CHECK failure in
// the core is reported as that seed's finding.
//
// Output: a progress bar on a terminal (stderr), one FAIL line per failing
// seed with the command that reproduces it, a summary line per scenario and
// the closing line `N passed, M failed`. Exit 0 all passed, 1 a seed
// failed, 2 bad input, 3 a checker reached its limit (and nothing failed).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scenario_args.h"
#include "sweep/isolated.h"

namespace raftlab::cli {
namespace {

struct RunFlags {
  std::vector<std::string> files;
  std::optional<uint64_t> seed;
  std::string seeds;
  int jobs = 1;
  std::string shard;
  BugFlags bugs;
  std::string out;
};

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path) << content;
}

// In the child, for a failing seed: rerun keeping everything and write it.
void WriteArtifacts(const sim::Scenario& s, uint64_t seed, const std::string& out,
                    const BugFlags& flags) {
  const std::filesystem::path dir =
      std::filesystem::path(out) / s.name / fmt::format("seed-{}", seed);
  std::filesystem::create_directories(dir);
  std::ofstream trace(dir / "trace.txt");
  sim::StreamTraceSink sink(&trace);
  sweep::SeedArtifacts art;
  sweep::RunOptions keep;
  keep.trace_sink = &sink;
  keep.keep_artifacts = true;
  const sweep::SeedOutcome o = sweep::RunSeed(s, seed, keep, &art);
  trace.close();
  WriteFile(dir / "history.jsonl", art.history_jsonl);
  std::string report;
  for (const std::string& v : o.violations) report += v + "\n";
  if (!art.explanation.empty()) report += "\n" + art.explanation;
  WriteFile(dir / "report.txt", report);
  sim::Scenario pinned = s;
  pinned.seed_first = pinned.seed_last = seed;
  WriteFile(dir / "scenario.yaml",
            sim::WriteScenario(pinned, fmt::format("{} pinned to seed {} (from {}).\nReproduce: {}",
                                                   s.name, seed, s.file,
                                                   ReproduceCommand(s.file, seed, flags))));
}

class Progress {
 public:
  Progress(size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}
  void Tick(const std::string& name, size_t failed) {
    ++done_;
    if (!tty_) return;
    const size_t width = 30;
    const size_t filled = total_ == 0 ? width : done_ * width / total_;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu %-28.28s %zu failed", std::string(filled, '=').c_str(),
                 std::string(width - filled, ' ').c_str(), done_, total_, name.c_str(), failed);
    std::fflush(stderr);
  }
  void Clear() {
    if (tty_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  size_t total_;
  size_t done_ = 0;
  bool tty_;
};

int RunScenarios(const RunFlags& flags) {
  std::vector<sim::Scenario> scenarios;
  for (const std::string& file : flags.files) {
    Result<sim::Scenario> s = LoadWithBugs(file, flags.bugs);
    if (!s) {
      PrintError(s.error().message);
      return kExitUsage;
    }
    scenarios.push_back(std::move(*s));
  }
  std::optional<std::pair<uint64_t, uint64_t>> range;
  if (flags.seed) range = std::make_pair(*flags.seed, *flags.seed);
  if (!flags.seeds.empty()) {
    auto r = ParseSeedRange(flags.seeds);
    if (!r) {
      PrintError(r.error().message);
      return kExitUsage;
    }
    range = *r;
  }
  std::pair<uint64_t, uint64_t> shard{0, 1};
  if (!flags.shard.empty()) {
    auto s = ParseShard(flags.shard);
    if (!s) {
      PrintError(s.error().message);
      return kExitUsage;
    }
    shard = *s;
  }
  // The seeds of each scenario, then this shard's slice of them.
  std::vector<std::vector<uint64_t>> seeds(scenarios.size());
  size_t total = 0;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const auto [first, last] = range.value_or(std::make_pair(scenarios[i].seed_first,
                                                             scenarios[i].seed_last));
    for (uint64_t seed = first, k = 0; seed <= last; ++seed, ++k) {
      if (k % shard.second == shard.first) seeds[i].push_back(seed);
      if (seed == UINT64_MAX) break;
    }
    total += seeds[i].size();
  }
  std::unique_ptr<std::ofstream> results;
  if (!flags.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.out, ec);
    results = std::make_unique<std::ofstream>(std::filesystem::path(flags.out) / "results.jsonl");
    if (ec || !*results) {
      PrintError(fmt::format("--out {}: cannot write results.jsonl there", flags.out));
      return kExitUsage;
    }
  }
  Progress progress(total);
  size_t passed = 0;
  size_t failed = 0;
  size_t unknown = 0;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const sim::Scenario& s = scenarios[i];
    const auto start = std::chrono::steady_clock::now();
    std::map<uint64_t, sweep::SeedOutcome> outcomes;  // by seed: output in seed order
    size_t scenario_failed = 0;
    sweep::RunIsolated(
        seeds[i], flags.jobs,
        [&](uint64_t seed) {
          sweep::SeedOutcome o = sweep::RunSeed(s, seed, sweep::RunOptions{}, nullptr);
          if (o.verdict == sweep::Verdict::kFail && !flags.out.empty()) {
            WriteArtifacts(s, seed, flags.out, flags.bugs);
          }
          return o;
        },
        [&](const sweep::SeedOutcome& o) {
          if (o.verdict == sweep::Verdict::kFail) ++scenario_failed;
          outcomes[o.seed] = o;
          progress.Tick(s.name, failed + scenario_failed);
        });
    progress.Clear();
    size_t s_pass = 0;
    size_t s_fail = 0;
    size_t s_unknown = 0;
    for (const auto& [seed, o] : outcomes) {
      if (results) {
        *results << sweep::OutcomeJson(s.name, o) << "\n";
      }
      switch (o.verdict) {
        case sweep::Verdict::kPass: ++s_pass; break;
        case sweep::Verdict::kUnknown:
          ++s_unknown;
          std::printf("UNKNOWN %s seed %lu: the linearizability checker reached its limit\n",
                      s.name.c_str(), seed);
          break;
        case sweep::Verdict::kFail:
          ++s_fail;
          std::printf("FAIL %s seed %lu: %s\n", s.name.c_str(), seed, o.violations.front().c_str());
          for (size_t v = 1; v < o.violations.size() && v < 5; ++v) {
            std::printf("     %s\n", o.violations[v].c_str());
          }
          std::printf("  reproduce: %s\n", ReproduceCommand(s.file, seed, flags.bugs).c_str());
          if (!flags.out.empty()) {
            std::printf("  artifacts: %s\n",
                        (std::filesystem::path(flags.out) / s.name / fmt::format("seed-{}", seed))
                            .c_str());
          }
          break;
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %zu passed, %zu failed%s (%zu seeds, %.1fs)\n", s.name.c_str(), s_pass, s_fail,
                s_unknown == 0 ? "" : fmt::format(", {} unknown", s_unknown).c_str(),
                outcomes.size(), secs);
    std::fflush(stdout);
    passed += s_pass;
    failed += s_fail;
    unknown += s_unknown;
  }
  std::printf("%zu passed, %zu failed%s\n", passed, failed,
              unknown == 0 ? "" : fmt::format(", {} unknown", unknown).c_str());
  if (failed > 0) return kExitViolation;
  return unknown > 0 ? kExitUnknown : kExitOk;
}

}  // namespace

void AddBugFlags(CLI::App* cmd, BugFlags* flags) {
  cmd->add_option("--bug", flags->bugs, "Plant a bug-zoo mutation (repeatable; see `raftlab zoo --list`)");
  cmd->add_flag("--without-bugs", flags->without_bugs, "Ignore the bugs the scenario file plants");
}

void RegisterRunCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Sweep seeds of scenarios through the simulator and checkers");
  cmd->add_option("scenarios", f->files, "Scenario files (YAML)")->required()->check(CLI::ExistingFile);
  auto* seed = cmd->add_option("--seed", f->seed, "Run this one seed");
  cmd->add_option("--seeds", f->seeds, "Run seeds A..B (default: the scenario's seeds)")->excludes(seed);
  cmd->add_option("--jobs", f->jobs, "Seeds run in parallel processes")->check(CLI::Range(1, 256));
  cmd->add_option("--shard", f->shard, "Run the I-th of N disjoint slices of the seeds (I/N)");
  AddBugFlags(cmd, &f->bugs);
  cmd->add_option("--out", f->out, "Write results.jsonl and failing seeds' artifacts here");
  cmd->callback([f, exit_code] { *exit_code = RunScenarios(*f); });
}

}  // namespace raftlab::cli
