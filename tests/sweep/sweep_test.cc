// Sweeps: a seed's judged outcome is reproducible, independent of how many
// run in parallel; a CHECK failure in a seed's process is that seed's
// finding; violation classes drop the specifics; the shrinker keeps the
// violation class while the scenario gets smaller; a seed's trace streamed
// to a sink (what `raftlab replay --trace` writes) is the trace kept in memory.
#include <sstream>

#include <gtest/gtest.h>

#include "core/base/check.h"
#include "sweep/isolated.h"
#include "sweep/shrinker.h"

namespace raftlab::sweep {
namespace {

sim::Scenario Load(const std::string& yaml) {
  Result<sim::Scenario> s = sim::LoadScenarioFromString(yaml, "t.yaml");
  CHECK_MSG(s.has_value(), s ? "" : s.error().message);
  return *s;
}

const char* kFaulty =
    "name: faulty\nduration: 4s\ncluster: {nodes: 3}\n"
    "nemesis: {interval: {min: 300ms, max: 1s}, duration: {min: 200ms, max: 1s},"
    " faults: [isolate, crash, pause, clock-drift, cut, clog]}\n";

TEST(Sweep, ParallelSeedsGiveTheSameOutcomesAsSequentialOnes) {
  const sim::Scenario s = Load(kFaulty);
  const SeedWork work = [&](uint64_t seed) { return RunSeed(s, seed, RunOptions{}, nullptr); };
  std::map<uint64_t, std::string> one;
  std::map<uint64_t, std::string> two;
  const std::vector<uint64_t> seeds{1, 2, 3, 4, 5, 6};
  auto key = [](const SeedOutcome& o) {
    std::string k = fmt::format("{} {:016x} {} {}", VerdictName(o.verdict), o.trace_hash,
                                o.events, o.ops);
    for (const std::string& v : o.violations) k += "|" + v;
    return k;
  };
  RunIsolated(seeds, 1, work, [&](const SeedOutcome& o) { one[o.seed] = key(o); });
  RunIsolated(seeds, 3, work, [&](const SeedOutcome& o) { two[o.seed] = key(o); });
  EXPECT_EQ(one, two);
  ASSERT_EQ(one.size(), seeds.size());
  // And in this process, without isolation, the same again.
  for (uint64_t seed : seeds) EXPECT_EQ(key(work(seed)), one[seed]) << "seed " << seed;
}

TEST(Sweep, AStreamedSeedTraceIsTheKeptTraceWithTheSameHash) {
  const sim::Scenario s = Load(kFaulty);
  RunOptions keep;
  keep.keep_trace = true;
  SeedArtifacts kept;
  const SeedOutcome a = RunSeed(s, 3, keep, &kept);

  std::ostringstream streamed;
  sim::StreamTraceSink sink(&streamed);
  RunOptions stream;
  stream.trace_sink = &sink;
  SeedArtifacts none;
  const SeedOutcome b = RunSeed(s, 3, stream, &none);

  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_TRUE(none.trace_lines.empty());
  ASSERT_FALSE(kept.trace_lines.empty());
  std::string file;
  for (const std::string& line : kept.trace_lines) file += line + "\n";
  EXPECT_EQ(streamed.str(), file);
}

TEST(Sweep, ACheckFailureInASeedIsThatSeedsCrashFinding) {
  const SeedOutcome o = RunOneIsolated(7, [](uint64_t seed) -> SeedOutcome {
    CHECK_EQ(seed, 8u);  // fails in the child only
    return SeedOutcome{};
  });
  EXPECT_EQ(o.seed, 7u);
  EXPECT_EQ(o.verdict, Verdict::kFail);
  ASSERT_EQ(o.violations.size(), 1u);
  EXPECT_EQ(o.violations[0].rfind("crash: ", 0), 0u) << o.violations[0];
  EXPECT_NE(o.violations[0].find("CHECK failed: seed == 8u (7 vs 8)"), std::string::npos)
      << o.violations[0];
}

TEST(Sweep, ViolationClassesDropNodesAndNumbers) {
  EXPECT_EQ(ViolationClass("raft: election safety: nodes 1 and 3 were both leader in term 4"),
            "raft: election safety");
  EXPECT_EQ(ViolationClass("raft: node 2: term went back from 5 to 3"),
            "raft: term went back from");
  EXPECT_EQ(ViolationClass("storage: n2 refused to recover although its disk was never damaged: x"),
            "storage: refused to recover although its disk was never damaged");
  EXPECT_EQ(ViolationClass("liveness: no leader within 20s after healing"),
            "liveness: no leader within");
  EXPECT_EQ(ViolationClass("linearizability: history is not linearizable: key k1 (12 ops)"),
            "linearizability: history is not linearizable");
  EXPECT_EQ(ViolationClass("crash: core/raft/raft_log.cc:187: CHECK failed: x (1 vs 2)"),
            "crash: core/raft/raft_log.cc");
  EXPECT_EQ(ViolationClass("crash: ../core/raft/raft_log.cc:187: CHECK failed: x (1 vs 2)"),
            "crash: core/raft/raft_log.cc");
  EXPECT_EQ(ViolationClass("liveness: healthy connected majority n1,n2 had no leader for 8s"),
            "liveness: healthy connected majority");
  EXPECT_EQ(ViolationClass("watch: stream 7 [k2, ): missed revision 82"), "watch: stream");
}

TEST(Sweep, OutcomeJsonCarriesEveryResultsField) {
  SeedOutcome o;
  o.seed = 12;
  o.verdict = Verdict::kFail;
  o.violations = {"raft: say \"hi\"\n"};
  o.trace_hash = 0xabc;
  o.sim_time = 5;
  o.events = 6;
  o.ops = 7;
  o.faults = 8;
  o.wall_ms = 1.25;
  EXPECT_EQ(OutcomeJson("s", o),
            "{\"scenario\":\"s\",\"seed\":12,\"verdict\":\"fail\",\"violations\":[\"raft: say \\\"hi\\\"\\n\"],"
            "\"trace_hash\":\"0000000000000abc\",\"sim_time_ns\":5,\"events\":6,\"ops\":7,"
            "\"faults\":8,\"wall_ms\":1.2}");
}

TEST(Shrinker, APlantedBugShrinksToAnExplicitScheduleThatStillFails) {
  // heartbeat-uncapped-commit crashes a lagging follower (B28): found fast.
  sim::Scenario s = Load(
      "name: b28\nduration: 8s\ncluster: {nodes: 5}\nbugs: [heartbeat-uncapped-commit]\n"
      "workload: {clients: 6}\n"
      "nemesis: {interval: {min: 300ms, max: 1s}, duration: {min: 200ms, max: 2s},"
      " faults: [isolate, crash, pause, clock-drift]}\n");
  uint64_t failing = 0;
  for (uint64_t seed = 1; seed <= 20 && failing == 0; ++seed) {
    if (RunOneIsolated(seed, [&](uint64_t x) { return RunSeed(s, x, RunOptions{}, nullptr); })
            .verdict == Verdict::kFail) {
      failing = seed;
    }
  }
  ASSERT_NE(failing, 0u) << "B28 was not found in 20 seeds";
  ShrinkOptions options;
  options.max_runs = 60;
  Result<ShrinkResult> r = Shrink(s, failing, options);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->violation_class.rfind("crash: ", 0), 0u) << r->violation_class;
  EXPECT_LE(r->after.faults, r->before.faults);
  EXPECT_LE(r->after.clients, r->before.clients);
  EXPECT_LE(r->after.duration, r->before.duration);
  EXPECT_LT(r->after.faults + static_cast<size_t>(r->after.clients) + r->after.duration,
            r->before.faults + static_cast<size_t>(r->before.clients) + r->before.duration)
      << "nothing got smaller";
  // The reproducer, written and read back, fails on its seed with the same class.
  Result<sim::Scenario> back =
      sim::LoadScenarioFromString(sim::WriteScenario(r->scenario, ""), "min.yaml");
  ASSERT_TRUE(back.has_value()) << back.error().message;
  const SeedOutcome o = RunOneIsolated(back->seed_first, [&](uint64_t x) {
    return RunSeed(*back, x, RunOptions{}, nullptr);
  });
  ASSERT_FALSE(o.violations.empty());
  EXPECT_EQ(ViolationClass(o.violations.front()), r->violation_class);
  // Without the bug the reproducer passes.
  back->bugs = BugSet{};
  EXPECT_EQ(RunOneIsolated(back->seed_first, [&](uint64_t x) {
              return RunSeed(*back, x, RunOptions{}, nullptr);
            }).verdict,
            Verdict::kPass);
}

}  // namespace
}  // namespace raftlab::sweep
