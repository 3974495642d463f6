// The faults and the check added for the consensus family of the bug zoo:
// crash-after-propose kills a member at its next durable append, before that
// Ready's messages leave, and never fires after the heal; add-learner demotes
// a member to a learner and promotes it back, keeping a majority voting; the
// availability check counts voters only. All of it deterministic.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "tests/util/datadriven.h"

namespace raftlab::sim {
namespace {

SimResult RunYaml(const std::string& yaml, uint64_t seed = 1) {
  Result<Scenario> s = LoadScenarioFromString(yaml, "t.yaml");
  EXPECT_TRUE(s.has_value()) << s.error().message;
  SimConfig c = s->config;
  c.seed = seed;
  c.keep_trace_lines = true;
  return Simulation(c).Run();
}

// Index of the first trace line containing `what` (lines.size() if none).
size_t Find(const std::vector<std::string>& lines, const std::string& what, size_t from = 0) {
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i].find(what) != std::string::npos) return i;
  }
  return lines.size();
}

std::string Violations(const SimResult& r) {
  std::string out;
  for (const std::string& v : r.violations) out += v + "\n";
  return out;
}

TEST(CrashAfterPropose, TheLeaderDiesAfterItsNextAppendBeforeSendingAndRestarts) {
  const std::string yaml =
      "name: x\nduration: 6s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: crash-after-propose, target: leader, for: 1s}]\n";
  const SimResult r = RunYaml(yaml);
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  const auto& lines = r.trace_lines;
  const size_t armed = Find(lines, "fault: crash-after-propose leader");
  ASSERT_LT(armed, lines.size());
  const size_t crash = Find(lines, "crash after proposing", armed);
  ASSERT_LT(crash, lines.size());
  // The member that crashed is the one that was leader; it persisted entries
  // (the proposal), synced, and sent nothing of that Ready.
  const std::string node = lines[crash].substr(lines[crash].find(" n") + 1, 2);
  EXPECT_NE(lines[armed].find(" " + node + " "), std::string::npos) << lines[armed];
  EXPECT_NE(lines[crash - 1].find(node + "   fsync done"), std::string::npos) << lines[crash - 1];
  EXPECT_NE(lines[crash + 1].find(node + "   crashed"), std::string::npos) << lines[crash + 1];
  // for: restarts it.
  EXPECT_LT(Find(lines, node + "   started", crash), lines.size());
  // Same seed, same run.
  EXPECT_EQ(r.trace_hash, RunYaml(yaml).trace_hash);
}

TEST(CrashAfterPropose, AnArmedCrashDoesNotFireAfterTheHeal) {
  // Armed on a member that is down, so it cannot fire before the heal; the
  // heal restarts the member and must disarm it first, or its first append
  // in the liveness phase would kill it again and the replicas never converge.
  const SimResult r = RunYaml(
      "name: x\nduration: 3s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: crash, target: n1},\n"
      "         {at: 2500ms, do: crash-after-propose, target: n1, for: 10s}]\n");
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  EXPECT_EQ(Find(r.trace_lines, "crash after proposing"), r.trace_lines.size());
}

TEST(AddLearner, DemotesTheTargetThenPromotesItBack) {
  const SimResult r = RunYaml(
      "name: x\nduration: 8s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: add-learner, target: n3, for: 2s}]\n");
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  // The conf changes as the leader replicates them: l3 (learner), then v3.
  const size_t learner = Find(r.trace_lines, "EntryConfChangeV2 l3");
  ASSERT_LT(learner, r.trace_lines.size());
  EXPECT_LT(Find(r.trace_lines, "EntryConfChangeV2 v3", learner), r.trace_lines.size());
}

TEST(AddLearner, KeepsAMajorityOfTheMembersVoting) {
  const SimResult r = RunYaml(
      "name: x\nduration: 8s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: add-learner, target: n1, for: 5s},\n"
      "         {at: 3s, do: add-learner, target: n2, for: 3s}]\n");
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  EXPECT_LT(Find(r.trace_lines, "fewer voters than a majority"), r.trace_lines.size());
  EXPECT_EQ(Find(r.trace_lines, "EntryConfChangeV2 l2"), r.trace_lines.size());
}

TEST(RemoveMember, RemovesOneOfTwoVotersAndTheClusterStaysLive) {
  // Three voters: n3 goes, then n2, leaving the single voter n1; both come
  // back when their faults end. The removal from two voters once wedged
  // clusters (a removed node with the longest log never campaigned) and the
  // injector skipped it; now it runs and the liveness phase must pass.
  const SimResult r = RunYaml(
      "name: x\nduration: 8s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: remove-member, target: n3, for: 5s},\n"
      "         {at: 3s, do: remove-member, target: n2, for: 3s}]\n");
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  EXPECT_LT(Find(r.trace_lines, "EntryConfChangeV2 r3"), r.trace_lines.size());
  EXPECT_LT(Find(r.trace_lines, "EntryConfChangeV2 r2"), r.trace_lines.size());
}

TEST(RemoveMember, TheShrunkScheduleThatOnceWedgedPasses) {
  // The 24-fault schedule raftlab shrink made of the first finding (see the
  // file's header): n4, leader of the two voters {3,4}, commits its own
  // removal and dies right after proposing one more entry, before n3 learns
  // of the commit. It ended in "liveness: no leader within".
  Result<Scenario> s =
      LoadScenario(testing::SourceDir() + "/tests/testdata/sim/remove-from-two-voters-shrunk.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  SimConfig c = s->config;
  c.seed = 126;
  c.keep_trace_lines = true;
  const SimResult r = Simulation(c).Run();
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  EXPECT_LT(Find(r.trace_lines, "crash-after-propose"), r.trace_lines.size());
}

TEST(NewFaultKinds, LoadFromTimedFaultsAndTheNemesisAndWriteBack) {
  Result<Scenario> s = LoadScenarioFromString(
      "name: x\nduration: 5s\n"
      "faults: [{at: 1s, do: crash-after-propose, target: leader, for: 300ms},\n"
      "         {at: 2s, do: add-learner, target: n2, for: 1s}]\n"
      "nemesis: {faults: [crash-after-propose, add-learner]}\n",
      "t.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_EQ(s->config.schedule.size(), 2u);
  EXPECT_EQ(s->config.schedule[0].kind, FaultKind::kCrashAfterPropose);
  EXPECT_EQ(s->config.schedule[1].kind, FaultKind::kAddLearner);
  EXPECT_EQ(s->config.nemesis.kinds,
            (std::vector<FaultKind>{FaultKind::kCrashAfterPropose, FaultKind::kAddLearner}));
  Result<Scenario> back = LoadScenarioFromString(WriteScenario(*s, ""), "back.yaml");
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->config.schedule[0].kind, FaultKind::kCrashAfterPropose);
  EXPECT_EQ(back->config.schedule[1].targets, std::vector<std::string>{"n2"});
  // A nemesis drawing only these kinds runs deterministically and safely.
  SimConfig c = s->config;
  c.nemesis.interval_min = 200 * kMillisecond;
  c.nemesis.interval_max = 600 * kMillisecond;
  EXPECT_EQ(CheckDeterminism(c), "");
  EXPECT_TRUE(Simulation(c).Run().violations.empty());
}

TEST(Availability, CountsOnlyVotersTowardTheHealthyMajority) {
  // n1 is a learner for the whole run; n2 is down for 12 s. The healthy
  // members n1 and n3 are a majority of the members but n3 alone is no
  // quorum of the voters {2, 3}: no leader is the right answer, not an
  // availability finding.
  const SimResult r = RunYaml(
      "name: x\nduration: 20s\ncluster: {nodes: 3}\n"
      "faults: [{at: 2s, do: add-learner, target: n1},\n"
      "         {at: 4s, do: crash, target: n2, for: 12s}]\n");
  EXPECT_TRUE(r.violations.empty()) << Violations(r);
  EXPECT_LT(Find(r.trace_lines, "EntryConfChangeV2 l1"), r.trace_lines.size());
}

}  // namespace
}  // namespace raftlab::sim
