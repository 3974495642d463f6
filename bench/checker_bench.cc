// Linearizability checker timings on the external histories (tests/testdata/external) and on
// generated etcd histories.
//
// Each benchmark reads (or generates) its history once, outside the timed
// loop, and times CheckHistory (partitioned per key unless the name says
// "whole"; etcd histories are always whole). Run:
//   ./build/bench/checker_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
// The generated histories as files, for `raftlab check`:
//   ./build/bench/checker_bench --write-history NAME FILE
// with NAME one of etcd-100k, etcd-100k-bad, etcd-1m, etcd-1m-bad.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>

#include "checker/linearizability.h"
#include "checker/reader.h"
#include "sim/etcd_history_gen.h"

namespace raftlab::checker {
namespace {

History Load(const std::string& file) {
  const std::string path = std::string(RAFTLAB_EXTERNAL_DATA_DIR) + "/" + file;
  auto history = ReadHistoryFile(path, HistoryFormat::kAuto, nullptr);
  if (!history) {
    std::fprintf(stderr, "%s\n", history.error().message.c_str());
    std::abort();
  }
  return Prepare(*history);
}

void BM_Check(benchmark::State& state, const std::string& file, ModelKind model,
              bool partition) {
  const History history = Load(file);
  CheckOptions options;
  options.model = model;
  options.partition = partition;
  for (auto _ : state) {
    auto result = CheckHistory(history, file, options);
    benchmark::DoNotOptimize(result);
  }
}

// 50 clients over 300 keys: gets, puts, txns (compare-and-swap against one
// of the key's last two values, or absence) and deletes, with overlapping
// intervals; about 1% of requests time out (info: some take effect later,
// some never) and 1% fail. Linearizable by construction; "-bad" makes one
// get in the second half stale (it reports the key and revision just before
// an acknowledged write that returned before it began).
struct GeneratedEtcd {
  const char* name;
  size_t ops;
  bool stale_read;
};
constexpr GeneratedEtcd kGenerated[] = {
    {"etcd-100k", 100'000, false},
    {"etcd-100k-bad", 100'000, true},
    {"etcd-1m", 1'000'000, false},
    {"etcd-1m-bad", 1'000'000, true},
};

History Generate(const GeneratedEtcd& g) {
  sim::PrngChoices choices(20261122);
  sim::EtcdClientsOptions options;
  options.clients = 50;
  options.keys = 300;
  options.timeout_one_in = 200;
  options.fail_one_in = 100;
  options.txn_compare_recent = 2;
  options.tick_ns = 1000;
  sim::EtcdClients clients(choices, options);
  History history = clients.Run(g.ops);
  if (g.stale_read && !clients.InjectStaleRead(&history, history.ops.size() / 2)) {
    std::fprintf(stderr, "%s: no read to make stale\n", g.name);
    std::abort();
  }
  history.source = g.name;
  return history;
}

void BM_CheckGenerated(benchmark::State& state, const GeneratedEtcd& g) {
  const History history = Prepare(Generate(g));
  CheckOptions options;
  options.model = ModelKind::kEtcd;
  options.partition = false;
  for (auto _ : state) {
    auto result = CheckHistory(history, g.name, options);
    benchmark::DoNotOptimize(result);
  }
}

// --write-history NAME FILE; returns the exit code, or -1 without the flag.
int WriteHistory(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--write-history") != 0) return -1;
  for (const GeneratedEtcd& g : kGenerated) {
    if (argc != 4 || std::strcmp(argv[2], g.name) != 0) continue;
    std::ofstream out(argv[3], std::ios::binary);
    out << sim::ToJsonLines(Generate(g));
    out.close();
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", argv[3]);
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "usage: checker_bench --write-history NAME FILE  (NAME: etcd-100k, "
                       "etcd-100k-bad, etcd-1m, etcd-1m-bad)\n");
  return 2;
}

void BM_Read(benchmark::State& state, const std::string& file) {
  const std::string path = std::string(RAFTLAB_EXTERNAL_DATA_DIR) + "/" + file;
  for (auto _ : state) {
    auto history = ReadHistoryFile(path, HistoryFormat::kAuto, nullptr);
    benchmark::DoNotOptimize(history);
  }
}

void Register() {
  for (const char* name : {"c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"}) {
    const std::string file = std::string("porcupine-kv/") + name + ".txt";
    benchmark::RegisterBenchmark(("BM_Check/" + std::string(name)).c_str(), BM_Check, file,
                                 ModelKind::kKv, true)
        ->Unit(benchmark::kMillisecond);
  }
  for (const char* name : {"c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"}) {
    const std::string file = std::string("porcupine-kv/") + name + ".txt";
    benchmark::RegisterBenchmark(("BM_CheckWhole/" + std::string(name)).c_str(), BM_Check,
                                 file, ModelKind::kKv, false)
        ->Unit(benchmark::kMillisecond);
  }
  for (const char* name : {"etcd-h01-kill", "etcd-h01-kill-bad", "etcd-h02-pause-leader",
                           "etcd-h06-small", "etcd-h08-nofault"}) {
    const std::string file = std::string("etcd-3.4/") + name + ".edn";
    benchmark::RegisterBenchmark(("BM_Check/" + std::string(name)).c_str(), BM_Check, file,
                                 ModelKind::kCasRegister, true)
        ->Unit(benchmark::kMillisecond);
  }
  for (const GeneratedEtcd& g : kGenerated) {
    benchmark::RegisterBenchmark(("BM_CheckGenerated/" + std::string(g.name)).c_str(),
                                 BM_CheckGenerated, g)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_Read/etcd-h01-kill", BM_Read,
                               std::string("etcd-3.4/etcd-h01-kill.edn"))
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace raftlab::checker

int main(int argc, char** argv) {
  if (const int code = raftlab::checker::WriteHistory(argc, argv); code >= 0) return code;
  raftlab::checker::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
