#include "sweep/shrinker.h"

#include <algorithm>

#include <fmt/format.h>

#include "sweep/isolated.h"

namespace raftlab::sweep {
namespace {

class Shrinker {
 public:
  Shrinker(uint64_t seed, const ShrinkOptions& options) : seed_(seed), options_(options) {}

  // Runs a candidate; true if it fails with the target class.
  bool Fails(const sim::Scenario& s, uint64_t* ops = nullptr) {
    ++runs_;
    const SeedOutcome o = RunOneIsolated(seed_, [&s](uint64_t seed) {
      return RunSeed(s, seed, RunOptions{}, nullptr);
    });
    if (ops != nullptr) *ops = o.ops;
    for (const std::string& v : o.violations) {
      if (ViolationClass(v) == target_) return true;
    }
    return false;
  }

  bool Budget() const { return runs_ < options_.max_runs; }
  void Say(const std::string& what) {
    if (options_.progress) options_.progress(what);
  }

  // Tries `candidate`; adopts it into *best when it still fails.
  bool Try(sim::Scenario* best, const sim::Scenario& candidate, const std::string& what) {
    if (!Budget()) return false;
    if (!Fails(candidate)) return false;
    *best = candidate;
    Say("kept: " + what);
    return true;
  }

  void set_target(std::string c) { target_ = std::move(c); }
  int runs() const { return runs_; }

 private:
  uint64_t seed_;
  ShrinkOptions options_;
  std::string target_;
  int runs_ = 0;
};

void RemoveFaults(Shrinker& sh, sim::Scenario* best) {
  // Delta debugging over the schedule: drop chunks, halving the chunk size.
  for (size_t chunk = std::max<size_t>(1, best->config.schedule.size() / 2); chunk >= 1;
       chunk /= 2) {
    for (size_t start = 0; start < best->config.schedule.size() && sh.Budget();) {
      sim::Scenario c = *best;
      auto& sched = c.config.schedule;
      const size_t end = std::min(sched.size(), start + chunk);
      sched.erase(sched.begin() + static_cast<std::ptrdiff_t>(start),
                  sched.begin() + static_cast<std::ptrdiff_t>(end));
      if (!sh.Try(best, c, fmt::format("without fault events {}..{}", start, end - 1))) {
        start += chunk;
      }
    }
    if (chunk == 1) break;
  }
}

void WeakenFaults(Shrinker& sh, sim::Scenario* best) {
  for (size_t i = 0; i < best->config.schedule.size() && sh.Budget(); ++i) {
    const sim::FaultEvent& e = best->config.schedule[i];
    if (e.duration > 10 * sim::kMillisecond) {
      sim::Scenario c = *best;
      c.config.schedule[i].duration = e.duration / 2;
      if (sh.Try(best, c, fmt::format("fault {} lasts {}", i, sim::FormatDuration(e.duration / 2)))) {
        --i;  // try halving again
        continue;
      }
    }
    if (best->config.schedule[i].amount != 0 &&
        (e.kind == sim::FaultKind::kClockDrift || e.kind == sim::FaultKind::kClockJump ||
         e.kind == sim::FaultKind::kSlow)) {
      sim::Scenario c = *best;
      c.config.schedule[i].amount /= 2;
      if (c.config.schedule[i].amount != 0) sh.Try(best, c, fmt::format("fault {} halved", i));
    }
  }
}

sim::TimeNs LastFaultEnd(const sim::Scenario& s) {
  sim::TimeNs end = 0;
  for (const sim::FaultEvent& e : s.config.schedule) end = std::max(end, e.at + 1);
  // Round up to 100ms: a reproducer reads better with "duration: 6400ms".
  const sim::TimeNs step = 100 * sim::kMillisecond;
  return (end + step - 1) / step * step;
}

void ShortenRun(Shrinker& sh, sim::Scenario* best) {
  while (sh.Budget()) {
    const sim::TimeNs floor = std::max<sim::TimeNs>(LastFaultEnd(*best), sim::kSecond);
    const sim::TimeNs shorter = std::max(floor, best->config.duration / 2);
    if (shorter >= best->config.duration) return;
    sim::Scenario c = *best;
    c.config.duration = shorter;
    if (!sh.Try(best, c, "duration " + sim::FormatDuration(shorter))) {
      // Try trimming just to the last fault instead of halving.
      if (floor < best->config.duration && floor != shorter) {
        c.config.duration = floor;
        sh.Try(best, c, "duration " + sim::FormatDuration(floor));
      }
      return;
    }
  }
}

void FewerClients(Shrinker& sh, sim::Scenario* best) {
  while (best->config.workload.clients > 1 && sh.Budget()) {
    sim::Scenario c = *best;
    c.config.workload.clients = best->config.workload.clients / 2;
    if (!sh.Try(best, c, fmt::format("{} clients", c.config.workload.clients))) {
      c.config.workload.clients = best->config.workload.clients - 1;
      if (!sh.Try(best, c, fmt::format("{} clients", c.config.workload.clients))) return;
    }
  }
}

bool FitsNodes(const sim::Scenario& s, int nodes) {
  for (const sim::FaultEvent& e : s.config.schedule) {
    for (const std::string& t : e.targets) {
      if (sim::NodeFromName(t) > static_cast<uint64_t>(nodes)) return false;
    }
    for (const auto& g : e.groups) {
      for (const std::string& t : g) {
        if (sim::NodeFromName(t) > static_cast<uint64_t>(nodes)) return false;
      }
    }
  }
  return true;
}

void FewerNodes(Shrinker& sh, sim::Scenario* best) {
  for (int nodes = best->config.nodes - 2; nodes >= 1 && sh.Budget(); nodes -= 2) {
    if (!FitsNodes(*best, nodes)) return;
    sim::Scenario c = *best;
    c.config.nodes = nodes;
    if (!sh.Try(best, c, fmt::format("{} nodes", nodes))) return;
  }
}

void QuieterNetwork(Shrinker& sh, sim::Scenario* best) {
  for (Ratio sim::NetworkModel::*field :
       {&sim::NetworkModel::drop, &sim::NetworkModel::duplicate, &sim::NetworkModel::reorder,
        &sim::NetworkModel::long_tail}) {
    if ((best->config.network.*field).num == 0 || !sh.Budget()) continue;
    sim::Scenario c = *best;
    c.config.network.*field = Ratio{0, 1'000'000};
    sh.Try(best, c, "less network noise");
  }
}

ShrinkSize SizeOf(const sim::Scenario& s, size_t faults, uint64_t ops) {
  return ShrinkSize{faults, s.config.workload.clients, s.config.nodes, s.config.duration, ops};
}

}  // namespace

Result<ShrinkResult> Shrink(const sim::Scenario& scenario, uint64_t seed,
                            const ShrinkOptions& options) {
  Shrinker sh(seed, options);
  // The original run: its first violation names the class to keep.
  SeedArtifacts art;
  RunOptions keep;
  keep.keep_artifacts = true;
  const SeedOutcome first = RunOneIsolated(seed, [&](uint64_t s) {
    return RunSeed(scenario, s, keep, &art);
  });
  if (first.violations.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: seed {} does not fail, so there is nothing to shrink",
                                 scenario.file, seed));
  }
  // The fired faults come from a second, in-process run only when the first
  // did not crash (a crashed child cannot hand them back).
  sim::SimConfig config = sim::ConfigForSeed(scenario, seed);
  std::vector<sim::FaultEvent> fired;
  const bool crashed = first.violations.front().rfind("crash:", 0) == 0;
  if (!crashed && !scenario.config.nemesis.enabled) {
    fired = scenario.config.schedule;
  } else if (!crashed) {
    fired = sim::Simulation(config).Run().faults;
  }
  ShrinkResult result;
  result.violation_class = ViolationClass(first.violations.front());
  sh.set_target(result.violation_class);
  result.before = SizeOf(scenario, scenario.config.nemesis.enabled ? first.faults
                                                                   : scenario.config.schedule.size(),
                         first.ops);
  sim::Scenario best = scenario;
  best.seed_first = best.seed_last = seed;
  // Swarm knobs become explicit: the reproducer must not depend on swarm draws.
  if (best.swarm) {
    best.config = config;
    best.config.seed = 1;
    best.swarm = false;
  }
  sh.Say(fmt::format("original: {} ({} faults fired)", result.violation_class, first.faults));
  if (best.config.nemesis.enabled && !crashed) {
    sim::Scenario c = best;
    c.config.nemesis.enabled = false;
    c.config.schedule = fired;
    for (sim::FaultEvent& e : c.config.schedule) e.at = std::min(e.at, c.config.duration - 1);
    sh.Try(&best, c, fmt::format("the nemesis replaced by the {} faults it fired", fired.size()));
  }
  if (!best.config.nemesis.enabled) {
    RemoveFaults(sh, &best);
  }
  FewerNodes(sh, &best);
  FewerClients(sh, &best);
  ShortenRun(sh, &best);
  QuieterNetwork(sh, &best);
  if (!best.config.nemesis.enabled) {
    WeakenFaults(sh, &best);
    RemoveFaults(sh, &best);
  }
  // Confirm the final scenario (and learn its size).
  uint64_t ops = 0;
  if (!sh.Fails(best, &ops)) {
    return MakeError(ErrorCode::kInternal, "the shrunk scenario stopped failing; please report");
  }
  result.after = SizeOf(best, best.config.nemesis.enabled ? first.faults : best.config.schedule.size(), ops);
  result.runs = sh.runs();
  result.scenario = best;
  return result;
}

}  // namespace raftlab::sweep
