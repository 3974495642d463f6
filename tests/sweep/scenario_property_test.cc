// Random scenarios (RapidCheck): generated fault schedules and workloads
// against the correct core pass every checker; with a planted bug,
// RapidCheck's shrinking ends at a short schedule a person can read.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "sweep/seed_runner.h"

namespace raftlab::sweep {
namespace {

// Faults whose correct handling the checkers can always judge.
const std::vector<sim::FaultKind> kKinds = {
    sim::FaultKind::kIsolate, sim::FaultKind::kMinority, sim::FaultKind::kCut,
    sim::FaultKind::kClog,    sim::FaultKind::kCrash,    sim::FaultKind::kPause,
    sim::FaultKind::kSlow,    sim::FaultKind::kClockDrift, sim::FaultKind::kDiskStall};

rc::Gen<sim::FaultEvent> GenEvent(int nodes) {
  return rc::gen::apply(
      [nodes](size_t kind, int at_ms, int target, int for_ms, int amount) {
        sim::FaultEvent e;
        e.kind = kKinds[kind];
        e.at = static_cast<sim::TimeNs>(at_ms) * sim::kMillisecond;
        e.duration = static_cast<sim::TimeNs>(for_ms) * sim::kMillisecond;
        e.targets.push_back(target == 0 ? "leader" : sim::NodeName(static_cast<uint64_t>(target)));
        if (e.kind == sim::FaultKind::kCut) {
          e.targets.push_back(sim::NodeName(static_cast<uint64_t>(target % nodes + 1)));
          if (e.targets[1] == e.targets[0]) e.targets[1] = "follower";
        }
        if (e.kind == sim::FaultKind::kSlow) e.amount = amount * static_cast<int64_t>(sim::kMillisecond);
        if (e.kind == sim::FaultKind::kClockDrift) e.amount = (amount - 250) * 1000;
        return e;
      },
      rc::gen::inRange<size_t>(0, kKinds.size()), rc::gen::inRange(0, 3900),
      rc::gen::inRange(0, nodes + 1), rc::gen::inRange(100, 2500), rc::gen::inRange(1, 500));
}

rc::Gen<sim::Scenario> GenScenario() {
  return rc::gen::mapcat(rc::gen::element(3, 5), [](int nodes) {
    return rc::gen::apply(
        [nodes](int clients, std::vector<sim::FaultEvent> faults, uint64_t seed) {
          sim::Scenario s;
          s.name = "generated";
          s.config.nodes = nodes;
          s.config.duration = 4 * sim::kSecond;
          s.config.workload.clients = clients;
          std::sort(faults.begin(), faults.end(),
                    [](const auto& a, const auto& b) { return a.at < b.at; });
          s.config.schedule = std::move(faults);
          s.seed_first = s.seed_last = seed;
          return s;
        },
        rc::gen::inRange(1, 7), rc::gen::container<std::vector<sim::FaultEvent>>(GenEvent(nodes)),
        rc::gen::inRange<uint64_t>(1, 1000));
  });
}

std::string Schedule(const sim::Scenario& s) {
  std::string out = fmt::format("{} nodes, {} clients, seed {}:", s.config.nodes,
                                s.config.workload.clients, s.seed_first);
  for (const sim::FaultEvent& e : s.config.schedule) {
    out += fmt::format("\n  at {}: {}", sim::FormatDuration(e.at), sim::DescribeFault(e));
  }
  return out;
}

RC_GTEST_PROP(RandomScenarios, TheCorrectCorePassesEveryChecker, ()) {
  const sim::Scenario s = *GenScenario();
  const SeedOutcome o = RunSeed(s, s.seed_first, RunOptions{}, nullptr);
  RC_CLASSIFY(!s.config.schedule.empty(), "with faults");
  RC_ASSERT_FALSE(o.verdict == Verdict::kFail);
}

TEST(RandomScenarios, APlantedBugShrinksToAShortReadableSchedule) {
  // B28 makes a lagging follower panic; RapidCheck must find a schedule
  // that shows it and shrink it.
  std::string last_failing;
  size_t last_faults = 0;
  const bool passed = rc::check("B28 never fires", [&] {
    sim::Scenario s = *GenScenario();
    s.bugs.Add(Bug::kHeartbeatUncappedCommit);
    const SeedOutcome o = RunSeed(s, s.seed_first, RunOptions{}, nullptr);
    if (o.verdict == Verdict::kFail) {
      // RapidCheck's last failing call is its shrunk counterexample.
      last_failing = Schedule(s) + "\n  -> " + o.violations.front();
      last_faults = s.config.schedule.size();
    }
    RC_ASSERT(o.verdict != Verdict::kFail);
  });
  ASSERT_FALSE(passed) << "the planted bug was never found";
  std::printf("shrunk counterexample: %s\n", last_failing.c_str());
  EXPECT_LE(last_faults, 3u) << last_failing;
  EXPECT_NE(last_failing.find("core/raft/raft_log.cc"), std::string::npos) << last_failing;
}

}  // namespace
}  // namespace raftlab::sweep
