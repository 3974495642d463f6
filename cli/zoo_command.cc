// `raftlab zoo [--budget SEEDS] [--bug NAME]... [--dir DIR] [--jobs N]
//  [--json FILE] [--list]`: measures how fast the simulator and checkers
// find each planted bug (docs/bugzoo.md). For every bug with a finding
// scenario DIR/NAME.yaml it sweeps seeds 1, 2, ... until the first failure
// (at most --budget seeds) and reports seeds-to-detect, wall time to
// detect, the violation class, and the size of the shrunk reproducer
// DIR/NAME.min.yaml when there is one. A failing seed is credited only if
// it passes without the bug. Exit 0 when every bug measured was
// found, 1 when one was not, 2 on bad input.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "checker/json.h"
#include "cli/scenario_args.h"
#include "sweep/isolated.h"

namespace raftlab::cli {
namespace {

struct ZooFlags {
  uint64_t budget = 100;
  std::vector<std::string> bugs;
  std::string dir = "scenarios/bugs";
  int jobs = 1;
  std::string json;
  bool list = false;
};

struct Detection {
  std::string bug;
  std::string bnumber;
  bool has_scenario = false;
  bool found = false;
  uint64_t seeds = 0;  // seeds run until (and including) the first failure
  uint64_t seed = 0;   // the first failing seed
  double wall_s = 0;
  std::string violation_class;
  std::string violation;
  int64_t min_faults = -1;  // the reproducer's fault events (-1: none)
  int64_t min_ops = -1;     // and its client operations
  uint64_t fails_without_bug = 0;  // failing seeds not credited: they fail without the bug too
};

std::string Json(const Detection& d) {
  checker::json::Out out;
  out.w.StartObject();
  out.Text("bug", d.bug);
  out.Text("b", d.bnumber);
  out.Bool("scenario", d.has_scenario);
  out.Bool("found", d.found);
  out.Uint("seeds_to_detect", d.seeds);
  out.Uint("seed", d.seed);
  out.Fixed("wall_s", d.wall_s, 2);  // two decimals, as the format has always had
  out.Text("class", d.violation_class);
  out.Int("reproducer_faults", d.min_faults);
  out.Int("reproducer_ops", d.min_ops);
  out.Uint("fails_without_bug", d.fails_without_bug);
  out.w.EndObject();
  return out.str();
}

Detection Measure(const BugInfo& info, const ZooFlags& flags) {
  Detection d;
  d.bug = info.name;
  d.bnumber = info.bnumber;
  const std::filesystem::path file = std::filesystem::path(flags.dir) / (d.bug + ".yaml");
  if (!std::filesystem::exists(file)) return d;
  d.has_scenario = true;
  Result<sim::Scenario> s = LoadWithBugs(file.string(), BugFlags{{d.bug}, false});
  if (!s) {
    PrintError(s.error().message);
    return d;
  }
  const auto start = std::chrono::steady_clock::now();
  // Seeds in batches of `jobs`, stopping at the batch with the first failure
  // (the lowest failing seed counts, so the figure does not depend on --jobs).
  for (uint64_t first = 1; first <= flags.budget && !d.found;) {
    std::vector<uint64_t> batch;
    for (uint64_t seed = first; seed <= flags.budget && batch.size() < static_cast<size_t>(flags.jobs); ++seed) {
      batch.push_back(seed);
    }
    first += batch.size();
    std::map<uint64_t, sweep::SeedOutcome> got;
    sweep::RunIsolated(batch, flags.jobs,
                       [&](uint64_t seed) { return sweep::RunSeed(*s, seed, sweep::RunOptions{}, nullptr); },
                       [&](const sweep::SeedOutcome& o) { got[o.seed] = o; });
    for (const auto& [seed, o] : got) {
      if (o.verdict != sweep::Verdict::kFail) continue;
      // Credit the bug only if the same seed passes without it: a seed that
      // fails either way is a finding about the correct core, not this bug.
      sim::Scenario without = *s;
      without.bugs = BugSet{};
      if (sweep::RunOneIsolated(seed, [&](uint64_t x) {
            return sweep::RunSeed(without, x, sweep::RunOptions{}, nullptr);
          }).verdict == sweep::Verdict::kFail) {
        ++d.fails_without_bug;
        continue;
      }
      d.found = true;
      d.seed = seed;
      d.seeds = seed;
      d.violation = o.violations.front();
      d.violation_class = sweep::ViolationClass(d.violation);
      break;
    }
    if (!d.found) d.seeds = first - 1;
  }
  d.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::filesystem::path min = std::filesystem::path(flags.dir) / (d.bug + ".min.yaml");
  if (std::filesystem::exists(min)) {
    Result<sim::Scenario> m = sim::LoadScenario(min.string());
    if (m) {
      d.min_faults = static_cast<int64_t>(m->config.schedule.size());
      const sweep::SeedOutcome o = sweep::RunOneIsolated(m->seed_first, [&](uint64_t seed) {
        return sweep::RunSeed(*m, seed, sweep::RunOptions{}, nullptr);
      });
      d.min_ops = static_cast<int64_t>(o.ops);
    }
  }
  return d;
}

int RunZoo(const ZooFlags& flags) {
  if (flags.list) {
    for (const BugInfo& b : AllBugs()) std::printf("%-28s %s  %s\n", b.name, b.bnumber, b.summary);
    return kExitOk;
  }
  std::vector<const BugInfo*> bugs;
  for (const BugInfo& b : AllBugs()) {
    if (flags.bugs.empty() || std::find(flags.bugs.begin(), flags.bugs.end(), b.name) != flags.bugs.end()) {
      bugs.push_back(&b);
    }
  }
  for (const std::string& name : flags.bugs) {
    if (!BugFromName(name)) {
      PrintError(fmt::format("--bug {}: unknown bug; `raftlab zoo --list` names them", name));
      return kExitUsage;
    }
  }
  std::vector<Detection> results;
  std::printf("%-28s %-4s %-9s %6s %8s  %-9s %s\n", "bug", "B", "found", "seeds", "wall", "min f/ops",
              "violation class");
  for (const BugInfo* b : bugs) {
    const Detection d = Measure(*b, flags);
    results.push_back(d);
    const std::string min = d.min_faults < 0 ? "-" : fmt::format("{}/{}", d.min_faults, d.min_ops);
    std::printf("%-28s %-4s %-9s %6lu %7.1fs  %-9s %s%s\n", d.bug.c_str(), d.bnumber.c_str(),
                !d.has_scenario ? "no scen." : d.found ? "yes" : "NO", d.seeds, d.wall_s,
                min.c_str(), d.violation_class.c_str(),
                d.fails_without_bug == 0
                    ? ""
                    : fmt::format(" ({} seed(s) also failed without the bug: not credited)",
                                  d.fails_without_bug).c_str());
    std::fflush(stdout);
  }
  size_t measured = 0;
  size_t found = 0;
  std::vector<double> walls;
  for (const Detection& d : results) {
    if (!d.has_scenario) continue;
    ++measured;
    if (d.found) {
      ++found;
      walls.push_back(d.wall_s);
    }
  }
  std::sort(walls.begin(), walls.end());
  std::printf("%zu of %zu bugs with a finding scenario found within %lu seeds", found, measured,
              flags.budget);
  if (!walls.empty()) {
    std::printf("; median time to detect %.1fs, slowest %.1fs", walls[walls.size() / 2], walls.back());
  }
  std::printf("\n");
  if (!flags.json.empty()) {
    std::ofstream out(flags.json);
    out << "[\n";
    for (size_t i = 0; i < results.size(); ++i) out << "  " << Json(results[i]) << (i + 1 < results.size() ? ",\n" : "\n");
    out << "]\n";
  }
  return found == measured ? kExitOk : kExitViolation;
}

}  // namespace

void RegisterZooCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ZooFlags>();
  CLI::App* cmd = app.add_subcommand("zoo", "Measure how fast each planted bug is found");
  cmd->add_option("--budget", f->budget, "Seeds per bug at most")->check(CLI::Range(1, 1000000));
  cmd->add_option("--bug", f->bugs, "Measure only these bugs (repeatable)");
  cmd->add_option("--dir", f->dir, "Where the finding scenarios NAME.yaml live");
  cmd->add_option("--jobs", f->jobs, "Seeds run in parallel processes")->check(CLI::Range(1, 256));
  cmd->add_option("--json", f->json, "Also write the figures as JSON here");
  cmd->add_flag("--list", f->list, "List the bugs and exit");
  cmd->callback([f, exit_code] { *exit_code = RunZoo(*f); });
}

}  // namespace raftlab::cli
