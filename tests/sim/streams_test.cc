// Watch, lease and compaction clients in the simulator, judged by the watch,
// lease and durability checkers: correct runs under the nemesis pass on many
// seeds, and the planted server bugs B24, B25 and B22 are found.
#include <gtest/gtest.h>

#include "checker/jsonl_reader.h"
#include "sim/run_checks.h"
#include "sim/simulation.h"

namespace raftlab::sim {
namespace {

SimConfig Streams(uint64_t seed, TimeNs duration) {
  SimConfig c;
  c.seed = seed;
  c.nodes = 3;
  c.duration = duration;
  c.nemesis.enabled = true;
  c.nemesis.interval_min = 300 * kMillisecond;
  c.nemesis.interval_max = 2 * kSecond;
  c.network.drop = Ratio{1, 50};
  c.network.duplicate = Ratio{1, 50};
  c.network.reorder = Ratio{1, 20};
  c.workload.watch_clients = 3;
  c.workload.lease_clients = 2;
  c.workload.compact = 3;
  c.server.snapshot_entries = 40;  // snapshots, and installs on lagging members
  c.server.snapshot_catchup_entries = 10;
  return c;
}

std::string Describe(const SimResult& r) {
  std::string out;
  for (const std::string& v : r.violations) out += v + "\n";
  return out;
}

size_t CountEvents(const SimResult& r) {
  size_t n = 0;
  for (const auto& s : r.watch_streams) {
    for (const auto& rec : s.records) n += rec.events.size();
  }
  return n;
}

TEST(SimStreams, Explore) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const SimResult r = Simulation(Streams(seed, 10 * kSecond)).Run();
    size_t reconnects = 0;
    for (const auto& s : r.watch_streams) {
      for (const auto& rec : s.records) reconnects += rec.kind == checker::WatchRecord::Kind::kCreated;
    }
    size_t ka = 0, revoked = 0;
    for (const auto& op : r.lease_ops) {
      ka += op.f == "keepalive" && op.status == "ok";
      revoked += op.f == "revoke" && op.status == "ok";
    }
    size_t compacted = 0;
    for (const auto& op : r.compactions) compacted += op.status == "ok";
    std::printf("seed %lu: events %zu creates %zu keepalives %zu revokes %zu compactions %zu "
                "committed %zu acked %zu\n%s",
                seed, CountEvents(r), reconnects, ka, revoked, compacted,
                r.committed.revisions.size(), AckedWrites(r).size(), Describe(r).c_str());
  }
}

SimConfig Hunt(uint64_t seed, Bug bug) {
  SimConfig c = Streams(seed, 20 * kSecond);
  c.server.bugs.Add(bug);
  c.workload.watch_clients = 4;
  c.workload.watch_stall_timeout = 20 * kSecond;
  c.workload.lease_clients = 4;
  c.workload.del = 20;
  c.workload.compact = 10;
  if (bug == Bug::kWatchReplayAfterSnapshot) {
    // Watchers must be on a member when it installs a snapshot: many of
    // them, and members that fall behind without crashing (which would
    // drop every watch).
    c.workload.watch_clients = 8;
    c.nemesis.crashes = false;
  }
  return c;
}

TEST(SimStreams, SnapDebug) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimConfig c = Hunt(seed, Bug::kWatchReplayAfterSnapshot);
    c.keep_trace_lines = true;
    const SimResult r = Simulation(c).Run();
    size_t snaps = 0, watch = 0;
    for (const auto& l : r.trace_lines) {
      if (l.find("recv") != std::string::npos && l.find("Snap") != std::string::npos) {
        ++snaps;
        if (snaps < 3) std::printf("%s\n", l.c_str());
      }
      if (l.find("watch client") != std::string::npos) ++watch;
    }
    std::printf("seed %lu snaps %zu watch connects %zu\n", seed, snaps, watch);
  }
}

TEST(SimStreams, Seed8Debug) {
  SimConfig c = Hunt(8, Bug::kWatchReplayAfterSnapshot);
  c.server.bugs = BugSet();
  c.keep_trace_lines = true;
  const SimResult r = Simulation(c).Run();
  std::printf("%s", Describe(r).c_str());
  for (const auto& l : r.trace_lines) {
    if (l.find("19.") == std::string::npos && l.find("20.0") == std::string::npos) continue;
    if (l.find("recv") != std::string::npos || l.find("send") != std::string::npos) continue;
    if (l.find("persist") != std::string::npos || l.find("fsync") != std::string::npos) continue;
    if (l.find("apply") != std::string::npos) continue;
    if (l.find("invokes get") != std::string::npos || l.find("ok get") != std::string::npos) continue;
    std::printf("%s\n", l.c_str());
  }
}

TEST(SimStreams, HuntExplore) {
  for (Bug bug : {Bug::kWatchReplayAfterSnapshot, Bug::kCompactDropsDelete,
                  Bug::kLeaseDeposedPrimary}) {
    int found = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      const SimResult r = Simulation(Hunt(seed, bug)).Run();
      if (r.violations.empty()) continue;
      ++found;
      std::printf("%s seed %lu: %zu violations, first: %s\n", InfoOf(bug).name, seed,
                  r.violations.size(), r.violations[0].c_str());
    }
    std::printf("%s: %d of 20 seeds\n", InfoOf(bug).name, found);
  }
}

}  // namespace
}  // namespace raftlab::sim
