// The simulator: same seed, same run; different seeds, different runs; a
// cluster under a random nemesis keeps the Raft invariants, converges after
// healing, and its client histories are linearizable (etcd model, checked
// by the checker library); and the fault models have their effect. A trace
// streamed to a sink is the trace kept in memory, byte for byte.
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "checker/history.h"
#include "checker/jsonl_reader.h"
#include "checker/linearizability.h"
#include "sim/simulation.h"

namespace raftlab::sim {
namespace {

SimConfig Faulty(uint64_t seed, int nodes, TimeNs duration) {
  SimConfig c;
  c.seed = seed;
  c.nodes = nodes;
  c.duration = duration;
  c.nemesis.enabled = true;
  c.nemesis.interval_min = 300 * kMillisecond;
  c.nemesis.interval_max = 2 * kSecond;
  c.network.drop = Ratio{1, 50};
  c.network.duplicate = Ratio{1, 50};
  c.network.reorder = Ratio{1, 20};
  return c;
}

std::string Describe(const SimResult& r) {
  std::string out;
  for (const std::string& v : r.violations) out += v + "\n";
  return out;
}

TEST(Simulation, SameSeedSameTraceHashEveryFaultKindHundredSeeds) {
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const SimConfig c = Faulty(seed, 3, 4 * kSecond);
    const SimResult a = Simulation(c).Run();
    const SimResult b = Simulation(c).Run();
    ASSERT_EQ(a.trace_hash, b.trace_hash) << "seed " << seed;
    ASSERT_EQ(a.stats.events, b.stats.events) << "seed " << seed;
    EXPECT_TRUE(a.violations.empty()) << "seed " << seed << ":\n" << Describe(a);
    hashes.insert(a.trace_hash);
  }
  EXPECT_EQ(hashes.size(), 100u) << "different seeds must give different runs";
}

TEST(Simulation, CheckDeterminismFindsNoDivergence) {
  EXPECT_EQ(CheckDeterminism(Faulty(7, 5, 5 * kSecond)), "");
}

TEST(Trace, StreamedLinesAreTheKeptLinesWithTheSameHash) {
  SimConfig kept = Faulty(11, 3, 5 * kSecond);
  kept.keep_trace_lines = true;
  const SimResult a = Simulation(kept).Run();

  std::ostringstream streamed;
  StreamTraceSink sink(&streamed);
  SimConfig streaming = Faulty(11, 3, 5 * kSecond);
  streaming.trace_sink = &sink;
  const SimResult b = Simulation(streaming).Run();

  const SimResult neither = Simulation(Faulty(11, 3, 5 * kSecond)).Run();

  EXPECT_TRUE(b.trace_lines.empty()) << "a streamed trace must not also grow in memory";
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace_hash, neither.trace_hash) << "rendering lines must not change the run";
  ASSERT_GT(a.stats.faults, 0u) << "the run should exercise fault lines too";
  // What `raftlab replay --trace` wrote before streaming: each kept line and a newline.
  std::string file;
  for (const std::string& line : a.trace_lines) file += line + "\n";
  EXPECT_EQ(streamed.str(), file);
  EXPECT_EQ(a.trace_lines.size(), a.stats.events) << "one line per event";
}

TEST(Simulation, FiveNodesUnderNemesisForSixtySecondsConverge) {
  SimConfig c = Faulty(42, 5, 60 * kSecond);
  c.invariants_every_events = 100;
  const SimResult r = Simulation(c).Run();
  EXPECT_TRUE(r.violations.empty()) << Describe(r);
  EXPECT_GT(r.stats.faults, 20u);
  EXPECT_GT(r.stats.ops_ok, 1000u);
  EXPECT_GT(r.stats.messages_dropped, 0u);
}

TEST(Simulation, HistoriesUnderFaultsAreLinearizable) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const SimResult r = Simulation(Faulty(seed, 3, 10 * kSecond)).Run();
    ASSERT_TRUE(r.violations.empty()) << "seed " << seed << ":\n" << Describe(r);
    Result<checker::History> h = checker::ReadJsonl(ToJsonLines(r.history), "sim");
    ASSERT_TRUE(h.has_value()) << h.error().message;
    const checker::History prepared = checker::Prepare(*h);
    for (checker::ModelKind model : {checker::ModelKind::kEtcd, checker::ModelKind::kCasRegister}) {
      checker::CheckOptions options;
      options.model = model;
      Result<checker::CheckResult> res = checker::CheckHistory(prepared, "sim", options);
      ASSERT_TRUE(res.has_value()) << res.error().message;
      EXPECT_EQ(res->verdict, checker::Verdict::kLinearizable)
          << "seed " << seed << " model " << checker::ModelKindName(model);
    }
  }
}

TEST(NodeClock, FiftyPercentFastDriftTicksInTwoThirdsTheTime) {
  NodeClock clock;
  clock.drift_ppm = 500'000;
  // 100 ms of local time pass in 66.67 ms of global time.
  EXPECT_EQ(clock.GlobalFor(100 * kMillisecond), 66'666'666u);
  EXPECT_EQ(clock.Local(3 * kSecond), static_cast<int64_t>(4'500'000'000));
  NodeClock slow;
  slow.drift_ppm = -500'000;
  EXPECT_EQ(slow.GlobalFor(100 * kMillisecond), 200 * kMillisecond);
}

TEST(Network, APartitionedNodeReceivesNothing) {
  EventQueue queue;
  Trace trace(false);
  Network net(NetworkModel{}, Prng(1), &queue, &trace);
  std::vector<raft::Message> got;
  net.set_deliver([&](const raft::Message& m) { got.push_back(m); });
  net.Block(Network::SplitLinks({{3}, {1, 2}}));
  for (raft::NodeId from : {1, 2}) {
    for (raft::NodeId to : {1, 2, 3}) {
      if (from == to) continue;
      raft::Message m;
      m.from = from;
      m.to = to;
      net.Send(m);
    }
  }
  while (queue.RunNext()) {
  }
  ASSERT_EQ(got.size(), 2u);  // 1->2 and 2->1 only
  for (const raft::Message& m : got) EXPECT_NE(m.to, 3u);
  EXPECT_EQ(net.dropped(), 2u);
}

TEST(SimDisk, DropModeLosesTheUnsyncedWrite) {
  DiskModel model;
  model.crash_mode = CrashDiskMode::kDropUnsynced;
  SimDisk disk(model, Prng(1));
  ASSERT_TRUE(disk.fs()->Append("wal", "durable"));
  ASSERT_TRUE(disk.fs()->Sync("wal"));
  ASSERT_TRUE(disk.fs()->Append("wal", "-lost"));
  disk.Crash();
  EXPECT_EQ(*disk.fs()->Read("wal"), "durable");
}

}  // namespace
}  // namespace raftlab::sim
