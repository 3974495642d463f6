// Scenario files: every way a file can be wrong gets an error naming its
// line and column; what the writer writes, the loader reads back to the
// same scenario and the same run; swarm knobs are a function of the seed.
#include <gtest/gtest.h>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

namespace raftlab::sim {
namespace {

std::string ErrorOf(const std::string& yaml) {
  Result<Scenario> s = LoadScenarioFromString(yaml, "t.yaml");
  return s ? "" : s.error().message;
}

TEST(ScenarioLoader, MinimalScenarioGetsTheDefaults) {
  Result<Scenario> s = LoadScenarioFromString("name: x\n", "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->name, "x");
  EXPECT_EQ(s->config.nodes, 3);
  EXPECT_EQ(s->config.duration, 20 * kSecond);
  EXPECT_FALSE(s->config.nemesis.enabled);
  EXPECT_TRUE(s->bugs.empty());
}

TEST(ScenarioLoader, ParsesEveryFaultFieldAndDuration) {
  Result<Scenario> s = LoadScenarioFromString(
      "name: x\nduration: 10s\ncluster: {nodes: 5, tick: 50ms, read_mode: lease-based, max_clock_drift_ppm: 500000}\n"
      "faults:\n"
      "  - {at: 1500ms, do: isolate, target: leader, for: 2s}\n"
      "  - {at: 2s, do: partition, groups: [[n1, n2], [n3, n4, n5]]}\n"
      "  - {at: 3s, do: cut, from: n1, to: [n3, n4]}\n"
      "  - {at: 4s, do: clock-jump, target: n2, by: -250ms}\n"
      "  - {at: 5s, do: clock-drift, target: random, ppm: 20000}\n"
      "  - {at: 6s, do: compact, revisions: 7}\n",
      "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const auto& f = s->config.schedule;
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].at, 1500 * kMillisecond);
  EXPECT_EQ(f[0].kind, FaultKind::kIsolate);
  EXPECT_EQ(f[0].targets, std::vector<std::string>{"leader"});
  EXPECT_EQ(f[0].duration, 2 * kSecond);
  ASSERT_EQ(f[1].groups.size(), 2u);
  EXPECT_EQ(f[1].groups[1], (std::vector<std::string>{"n3", "n4", "n5"}));
  EXPECT_EQ(f[2].targets, (std::vector<std::string>{"n1", "n3", "n4"}));
  EXPECT_EQ(f[3].amount, -250'000'000);
  EXPECT_EQ(f[4].amount, 20000);
  EXPECT_EQ(f[5].amount, 7);
  EXPECT_EQ(s->config.server.tick_ms, 50);
  EXPECT_EQ(s->config.server.read_only, raft::ReadOnlyOption::kLeaseBased);
  EXPECT_EQ(s->config.server.max_clock_drift_ppm, 500000u);
}

TEST(ScenarioLoader, ErrorsNameLineColumnAndWhatWasExpected) {
  // Each input puts the mistake at a known line and column (1-based).
  EXPECT_EQ(ErrorOf("name: x\nclustr: {nodes: 3}\n"),
            "t.yaml:2:1: scenario: unknown key 'clustr'; expected one of: name, description, "
            "seeds, duration, bugs, swarm, cluster, network, disk, workload, faults, nemesis, "
            "expect, checker");
  EXPECT_EQ(ErrorOf("name: x\ncluster:\n  nodes: three\n"),
            "t.yaml:3:10: cluster.nodes: expected an integer, got 'three'");
  EXPECT_EQ(ErrorOf("name: x\ncluster: {nodes: 12}\n"),
            "t.yaml:2:18: cluster.nodes: 12 is out of range; expected 1..9");
  EXPECT_EQ(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: crash, target: n4}\n"),
            "t.yaml:3:33: faults[0].target: unknown node 'n4'; expected n1..n3, leader, "
            "follower or random");
  EXPECT_EQ(ErrorOf("name: x\nduration: 5s\nfaults:\n  - {at: 6s, do: heal}\n"),
            "t.yaml:4:10: faults[0].at: 6s is not before the end of the run (duration 5s)");
  EXPECT_EQ(ErrorOf("name: x\nduration: 5 seconds\n"),
            "t.yaml:2:11: duration: expected a duration such as 10ms or 2s, got '5 seconds'");
  EXPECT_EQ(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: explode}\n"),
            ErrorOf("name: x\nfaults:\n  - {at: 1s, do: explode}\n"));  // stable
  EXPECT_NE(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: explode}\n")
                .find("t.yaml:3:18: faults[0].do: unknown fault 'explode'; expected one of: "
                      "isolate, partition"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("name: x\nnetwork: {drop: 1.5}\n"),
            "t.yaml:2:17: network.drop: expected a probability between 0 and 1, got '1.5'");
  EXPECT_EQ(ErrorOf("name: x\nbugs: [no-such-bug]\n"),
            "t.yaml:2:8: bugs: unknown bug 'no-such-bug'; `raftlab zoo --list` names them");
  EXPECT_EQ(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: crash}\n"),
            "t.yaml:3:5: faults[0]: do: crash needs a target (n1..n3, leader, follower or "
            "random)");
  EXPECT_EQ(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: crash, target: n1, delay: 1s}\n"),
            "t.yaml:3:44: faults[0]: 'delay' is only for do: slow or slow-apply");
  EXPECT_EQ(ErrorOf("name: x\nfaults:\n  - {at: 1s, do: slow-apply, target: n1}\n"),
            "t.yaml:3:5: faults[0]: do: slow-apply needs 'delay'");
  EXPECT_EQ(ErrorOf("name: [x\n").substr(0, 19), "t.yaml:2:1: not val");
  EXPECT_EQ(ErrorOf("description: no name\n"), "t.yaml:1:1: scenario: missing 'name'");
}

TEST(ScenarioLoader, KeyDistributionIsUniformOrOneOfZipfAndHot) {
  Result<Scenario> s = LoadScenarioFromString("name: x\n", "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->config.workload.key_distribution, KeyDistribution::kUniform);
  s = LoadScenarioFromString("name: x\nworkload: {key_distribution: {zipf: 1.25}}\n", "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->config.workload.key_distribution, KeyDistribution::kZipf);
  EXPECT_EQ(s->config.workload.zipf_exponent, 1.25);
  s = LoadScenarioFromString("name: x\nworkload: {key_distribution: {hot: 0.9}}\n", "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->config.workload.key_distribution, KeyDistribution::kHot);
  EXPECT_EQ(s->config.workload.hot_fraction.num, 900'000u);
  EXPECT_EQ(s->config.workload.hot_fraction.den, 1'000'000u);

  const auto error_of = [](const std::string& distribution) {
    return ErrorOf("name: x\nworkload: {key_distribution: " + distribution + "}\n");
  };
  EXPECT_EQ(error_of("pareto"),
            "t.yaml:2:30: workload.key_distribution: expected uniform, {zipf: EXPONENT} or "
            "{hot: FRACTION}, got 'pareto'");
  EXPECT_EQ(error_of("[zipf]"),
            "t.yaml:2:30: workload.key_distribution: expected uniform, {zipf: EXPONENT} or "
            "{hot: FRACTION}, got a list");
  EXPECT_EQ(error_of("{pareto: 2}"),
            "t.yaml:2:31: workload.key_distribution: unknown distribution 'pareto'; expected "
            "zipf or hot");
  EXPECT_EQ(error_of("{zipf: 1.2, hot: 0.5}"),
            "t.yaml:2:30: workload.key_distribution: expected exactly one of zipf or hot, got 2 "
            "keys");
  EXPECT_EQ(error_of("{zipf: 0}"),
            "t.yaml:2:37: workload.key_distribution.zipf: expected an exponent above 0 and at "
            "most 10, got '0'");
  EXPECT_EQ(error_of("{zipf: steep}"),
            "t.yaml:2:37: workload.key_distribution.zipf: expected an exponent above 0 and at "
            "most 10, got 'steep'");
  EXPECT_EQ(error_of("{hot: 1.5}"),
            "t.yaml:2:36: workload.key_distribution.hot: expected a probability between 0 and "
            "1, got '1.5'");
}

TEST(ScenarioWriter, EveryKeyDistributionLoadsBackToTheSameRun) {
  for (const std::string distribution : {"uniform", "{zipf: 1.2}", "{hot: 0.85}"}) {
    SCOPED_TRACE(distribution);
    Result<Scenario> s = LoadScenarioFromString(
        "name: keys\nduration: 2s\nworkload: {keys: 8, key_distribution: " + distribution +
            "}\nnemesis: {faults: [isolate, crash]}\n",
        "t.yaml");
    ASSERT_TRUE(s.has_value()) << s.error().message;
    const std::string text = WriteScenario(*s, "");
    EXPECT_NE(text.find("key_distribution: " + distribution), std::string::npos) << text;
    Result<Scenario> back = LoadScenarioFromString(text, "back.yaml");
    ASSERT_TRUE(back.has_value()) << back.error().message << "\n" << text;
    EXPECT_EQ(WriteScenario(*back, ""), text);
    EXPECT_EQ(Simulation(ConfigForSeed(*back, 4)).Run().trace_hash,
              Simulation(ConfigForSeed(*s, 4)).Run().trace_hash);
  }
}

TEST(ScenarioWriter, WhatIsWrittenLoadsBackToTheSameRun) {
  Result<Scenario> s = LoadScenarioFromString(
      "name: round-trip\nseeds: 3..9\nduration: 6s\nbugs: [match-regress]\n"
      "cluster: {nodes: 5, pre_vote: false, snapshot_entries: 77}\n"
      "network: {drop: 0.013, duplicate: 0.02, reorder: 0.1, latency: {min: 2ms, max: 9ms}}\n"
      "disk: {crash: torn, fsync: {min: 1ms, max: 4ms}}\n"
      "workload: {clients: 3, keys: 2, mix: {get: 1, put: 2, delete: 0, txn: 3}}\n"
      "faults:\n"
      "  - {at: 1s, do: bridge, target: n3, for: 1500ms}\n"
      "  - {at: 2s, do: slow, target: leader, delay: 40ms, for: 1s}\n"
      "  - {at: 2500ms, do: slow-apply, target: n2, delay: 700ms, for: 2s}\n"
      "  - {at: 3s, do: partition, groups: [[n1], [n2, n3, n4, n5]]}\n"
      "nemesis: {interval: {min: 300ms, max: 1s}, faults: [crash, ring]}\n"
      "expect: {checkers: [raft, liveness], liveness_bound: 9s, violation: any}\n",
      "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const std::string text = WriteScenario(*s, "a comment\nwith two lines");
  EXPECT_EQ(text.substr(0, 28), "# a comment\n# with two lines");
  Result<Scenario> back = LoadScenarioFromString(text, "back.yaml");
  ASSERT_TRUE(back.has_value()) << back.error().message << "\n" << text;
  EXPECT_EQ(WriteScenario(*back, ""), WriteScenario(*s, "")) << text;
  EXPECT_EQ(back->seed_first, 3u);
  EXPECT_EQ(back->seed_last, 9u);
  EXPECT_TRUE(back->bugs.Has(Bug::kMatchRegress));
  EXPECT_EQ(back->expect.violation, "any");
  ASSERT_EQ(back->config.schedule.size(), 4u);
  EXPECT_EQ(back->config.schedule[2].kind, FaultKind::kSlowApply);
  EXPECT_EQ(back->config.schedule[2].amount, 700 * static_cast<int64_t>(kMillisecond));
  // The same seed runs the same way from either.
  SimConfig a = ConfigForSeed(*s, 5);
  SimConfig b = ConfigForSeed(*back, 5);
  a.duration = b.duration = 3 * kSecond;
  EXPECT_EQ(Simulation(a).Run().trace_hash, Simulation(b).Run().trace_hash);
}

TEST(ScenarioSwarm, KnobsAreAFunctionOfTheSeed) {
  Result<Scenario> s = LoadScenarioFromString(
      "name: s\nswarm: true\nnetwork: {drop: 0.1}\nworkload: {clients: 16}\n"
      "nemesis: {faults: [isolate, crash, pause, ring, clog, clock-jump]}\n",
      "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  std::set<size_t> kind_counts;
  std::set<int> clients;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const SimConfig a = ConfigForSeed(*s, seed);
    const SimConfig b = ConfigForSeed(*s, seed);
    EXPECT_EQ(a.nemesis.kinds, b.nemesis.kinds);
    EXPECT_EQ(a.workload.clients, b.workload.clients);
    EXPECT_FALSE(a.nemesis.kinds.empty());
    EXPECT_LE(a.nemesis.kinds.size(), 6u);
    EXPECT_LE(a.network.drop.num * 10, a.network.drop.den);
    EXPECT_GE(a.workload.clients, 1);
    EXPECT_LE(a.workload.clients, 16);
    kind_counts.insert(a.nemesis.kinds.size());
    clients.insert(a.workload.clients);
  }
  EXPECT_GT(kind_counts.size(), 2u) << "seeds should draw different fault mixes";
  EXPECT_GT(clients.size(), 5u);
}

}  // namespace
}  // namespace raftlab::sim
