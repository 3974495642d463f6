// Raft benchmarks (Google Benchmark).
//
// BM_OneNodeProposeCommitApply: one voter, in-memory storage; each iteration
// proposes `batch` entries, then runs the Ready loop (persist, Advance, the
// self-acknowledgement commits, apply) until they are applied. The figure
// is the core's own cost per proposal, no waiting.
//
// BM_OneNodeEtcdShape: the shape of etcd's BenchmarkOneNode — a proposer
// thread submits proposals while the node thread drains them into the node,
// persists each Ready, waits 1 ms (a reasonable fsync) and advances, until
// every proposal is committed. Proposals batch up during each "fsync".
//
// BM_ThreeNodeCommit: three voters on the in-memory network; each iteration
// proposes `batch` entries at the leader and delivers messages until all
// are committed and applied everywhere.
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>

#include "core/base/prng.h"
#include "core/raft/memory_storage.h"
#include "core/raft/raw_node.h"
#include "sim/raft/raft_network.h"

namespace raftlab::raft {
namespace {

struct OneNode {
  OneNode() : prng(1) {
    Snapshot s;
    s.metadata.index = 1;
    s.metadata.term = 1;
    s.metadata.conf_state.voters = {1};
    storage.ApplySnapshot(s);
    Config c;
    c.id = 1;
    c.storage = &storage;
    c.prng = &prng;
    c.applied = 1;
    node = std::make_unique<RawNode>(c);
    node->Campaign();
    while (node->HasReady()) HandleReady();
  }

  // Persists, applies and advances one Ready; returns the last applied index.
  uint64_t HandleReady() {
    Ready rd = node->GetReady();
    if (!rd.hard_state.IsEmpty()) storage.SetHardState(rd.hard_state);
    storage.Append(rd.entries);
    uint64_t applied = 0;
    for (const Entry& e : rd.committed_entries) {
      benchmark::DoNotOptimize(e.data.data());
      applied = e.index;
    }
    node->Advance();
    return applied;
  }

  Prng prng;
  MemoryStorage storage;
  std::unique_ptr<RawNode> node;
};

void BM_OneNodeProposeCommitApply(benchmark::State& state) {
  OneNode n;
  const int batch = static_cast<int>(state.range(0));
  const std::string payload = "foo";
  uint64_t target = n.node->raft().raft_log().LastIndex();
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) n.node->Propose(payload);
    target += batch;
    uint64_t applied = 0;
    while (applied < target) {
      if (n.node->HasReady()) applied = std::max(applied, n.HandleReady());
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
  // Keep the log short so memory does not grow with iterations.
  state.counters["entries"] = static_cast<double>(target);
}
BENCHMARK(BM_OneNodeProposeCommitApply)->Arg(1)->Arg(16)->Arg(256);

void BM_OneNodeEtcdShape(benchmark::State& state) {
  for (auto _ : state) {
    OneNode n;
    const uint64_t proposals = static_cast<uint64_t>(state.range(0));
    std::mutex mu;
    std::deque<std::string> queue;
    std::atomic<bool> stop{false};
    std::thread proposer([&] {
      for (uint64_t i = 0; i < proposals && !stop; ++i) {
        std::lock_guard<std::mutex> lock(mu);
        queue.emplace_back("foo");
      }
    });
    const uint64_t target = n.node->raft().raft_log().LastIndex() + proposals;
    while (n.node->raft().raft_log().committed() < target) {
      {
        std::lock_guard<std::mutex> lock(mu);
        while (!queue.empty()) {
          n.node->Propose(std::move(queue.front()));
          queue.pop_front();
        }
      }
      if (!n.node->HasReady()) continue;
      Ready rd = n.node->GetReady();
      n.storage.Append(rd.entries);
      if (!rd.hard_state.IsEmpty()) n.storage.SetHardState(rd.hard_state);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the fsync
      n.node->Advance();
    }
    stop = true;
    proposer.join();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_OneNodeEtcdShape)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ThreeNodeCommit(benchmark::State& state) {
  sim::RaftNetwork net(1, nullptr);
  Snapshot s;
  s.metadata.index = 1;
  s.metadata.term = 1;
  s.metadata.conf_state.voters = {1, 2, 3};
  for (NodeId id = 1; id <= 3; ++id) net.AddNode(id, sim::RaftNodeOptions{}, s);
  net.node(1).raw->Campaign();
  net.Stabilize();
  const int batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) net.node(1).raw->Propose("foo");
    net.Stabilize();
    // The network keeps the applied entries; drop them so memory stays flat.
    for (NodeId id = 1; id <= 3; ++id) net.node(id).applied.clear();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ThreeNodeCommit)->Arg(1)->Arg(16)->Arg(256);

}  // namespace
}  // namespace raftlab::raft

BENCHMARK_MAIN();
