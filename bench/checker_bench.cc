// Linearizability checker timings on the shared-data histories.
//
// Each benchmark reads its file once, outside the timed loop, and times
// CheckHistory (partitioned per key unless the name says "whole"). Run:
//   ./build/bench/checker_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
#include <cstdio>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "checker/linearizability.h"
#include "checker/reader.h"

namespace raftlab::checker {
namespace {

History Load(const std::string& file) {
  const std::string path = std::string(RAFTLAB_SHARED_DATA_DIR) + "/" + file;
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

void BM_Read(benchmark::State& state, const std::string& file) {
  const std::string path = std::string(RAFTLAB_SHARED_DATA_DIR) + "/" + file;
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
  for (const char* name : {"c01-ok", "c01-bad", "c10-ok", "c10-bad"}) {
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
  benchmark::RegisterBenchmark("BM_Read/etcd-h01-kill", BM_Read,
                               std::string("etcd-3.4/etcd-h01-kill.edn"))
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace raftlab::checker

int main(int argc, char** argv) {
  raftlab::checker::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
