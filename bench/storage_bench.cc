// Storage benchmarks: WAL append (encode) and replay (decode) throughput in
// MB/s, and saving/restoring a snapshot of an MVCC store with 1M keys.
#include <benchmark/benchmark.h>

#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"
#include "core/storage/memory_file_system.h"
#include "core/storage/snapshot_file.h"
#include "core/storage/wal.h"

namespace raftlab::storage {
namespace {

std::vector<raft::Entry> Entries(uint64_t first, size_t n, size_t payload) {
  std::vector<raft::Entry> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(raft::Entry{1, first + i, raft::EntryType::kNormal, std::string(payload, 'x')});
  }
  return out;
}

void BM_WalAppend(benchmark::State& state) {
  const size_t payload = static_cast<size_t>(state.range(0));
  uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    MemoryFileSystem fs;
    WalContents c;
    Wal wal = *Wal::Open(&fs, WalOptions{}, 0, &c);
    const std::vector<raft::Entry> batch = Entries(1, 1000, payload);
    state.ResumeTiming();
    benchmark::DoNotOptimize(wal.Save(raft::HardState{1, 1, 1000}, batch));
    benchmark::DoNotOptimize(wal.Sync());
    bytes += 1000 * payload;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WalAppend)->Arg(100)->Arg(1024)->Arg(16384);

void BM_WalReplay(benchmark::State& state) {
  const size_t payload = static_cast<size_t>(state.range(0));
  MemoryFileSystem fs;
  WalContents c;
  Wal wal = *Wal::Open(&fs, WalOptions{}, 0, &c);
  (void)wal.Save(raft::HardState{1, 1, 1000}, Entries(1, 1000, payload));
  (void)wal.Sync();
  for (auto _ : state) {
    Result<Wal> w = Wal::Open(&fs, WalOptions{}, 0, &c);
    benchmark::DoNotOptimize(w.has_value());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 1000 * payload));
}
BENCHMARK(BM_WalReplay)->Arg(100)->Arg(1024)->Arg(16384);

mvcc::KvStore MillionKeys() {
  mvcc::KvStore store;
  for (int i = 0; i < 1'000'000; ++i) {
    etcdserverpb::PutRequest put;
    put.set_key("key/" + std::to_string(i));
    put.set_value("value-" + std::to_string(i));
    (void)store.Put(put);
  }
  return store;
}

void BM_SnapshotSaveRestore1MKeys(benchmark::State& state) {
  static const mvcc::KvStore* store = new mvcc::KvStore(MillionKeys());
  for (auto _ : state) {
    MemoryFileSystem fs;
    raft::Snapshot s;
    s.metadata.index = 2;
    s.metadata.term = 1;
    s.data = mvcc::EncodeSnapshot(*store);
    (void)SaveSnapshot(&fs, s);
    std::vector<std::string> skipped;
    auto loaded = LoadNewestSnapshot(fs, &skipped);
    Result<mvcc::KvStore> restored = mvcc::DecodeSnapshot((*loaded)->data);
    benchmark::DoNotOptimize(restored->current_revision());
    state.counters["snapshot_MB"] = static_cast<double>(s.data.size()) / 1e6;
  }
}
BENCHMARK(BM_SnapshotSaveRestore1MKeys)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace raftlab::storage

BENCHMARK_MAIN();
