// MVCC, txn, compaction and watch fan-out benchmarks. Results and the command
// that produced them: reports/BENCHMARKS.md, section "MVCC".
#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/mvcc/kv_store.h"
#include "core/watch/watchable_store.h"

namespace {

using raftlab::mvcc::KvStore;

std::string KeyOf(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%08lld", static_cast<long long>(i));
  return buf;
}

void Fill(KvStore* kv, int64_t keys) {
  for (int64_t i = 0; i < keys; ++i) {
    etcdserverpb::PutRequest p;
    p.set_key(KeyOf(i));
    p.set_value(std::string(64, 'v'));
    (void)kv->Put(p);
    kv->TakeChanges();
  }
}

// One Put into a store of 10k keys (overwrites, so history grows).
void BM_Put(benchmark::State& state) {
  KvStore kv;
  Fill(&kv, 10'000);
  etcdserverpb::PutRequest p;
  p.set_value(std::string(64, 'x'));
  int64_t i = 0;
  for (auto _ : state) {
    p.set_key(KeyOf(i++ % 10'000));
    benchmark::DoNotOptimize(kv.Put(p));
    kv.TakeChanges();
  }
}
BENCHMARK(BM_Put);

// A range over state.range(0) consecutive keys of a 10k-key store.
void BM_Range(benchmark::State& state) {
  KvStore kv;
  Fill(&kv, 10'000);
  const int64_t width = state.range(0);
  etcdserverpb::RangeRequest r;
  int64_t i = 0;
  for (auto _ : state) {
    const int64_t first = (i++ * 37) % (10'000 - width);
    r.set_key(KeyOf(first));
    if (width > 1) r.set_range_end(KeyOf(first + width));
    auto out = kv.Range(r);
    benchmark::DoNotOptimize(out);
    if (out.response.kvs_size() != width) state.SkipWithError("wrong count");
  }
}
BENCHMARK(BM_Range)->Arg(1)->Arg(100);

// A compare-and-swap txn: compare a key's value, put on success.
void BM_Txn(benchmark::State& state) {
  KvStore kv;
  Fill(&kv, 10'000);
  int64_t i = 0;
  for (auto _ : state) {
    etcdserverpb::TxnRequest t;
    auto* c = t.add_compare();
    const std::string key = KeyOf(i++ % 10'000);
    c->set_key(key);
    c->set_target(etcdserverpb::Compare::MOD);
    c->set_result(etcdserverpb::Compare::GREATER);
    c->set_mod_revision(0);
    auto* p = t.add_success()->mutable_request_put();
    p->set_key(key);
    p->set_value("new");
    *t.add_failure()->mutable_request_range() = etcdserverpb::RangeRequest();
    t.mutable_failure(0)->mutable_request_range()->set_key(key);
    benchmark::DoNotOptimize(kv.Txn(t));
    kv.TakeChanges();
  }
}
BENCHMARK(BM_Txn);

// Compacting away 100k revisions (1k keys, 100 puts each).
void BM_Compact100k(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    KvStore kv;
    etcdserverpb::PutRequest p;
    p.set_value("v");
    for (int64_t i = 0; i < 100'000; ++i) {
      p.set_key(KeyOf(i % 1'000));
      (void)kv.Put(p);
      kv.TakeChanges();
    }
    etcdserverpb::CompactionRequest c;
    c.set_revision(kv.current_revision());
    state.ResumeTiming();
    benchmark::DoNotOptimize(kv.Compact(c));
  }
}
BENCHMARK(BM_Compact100k)->Unit(benchmark::kMillisecond)->Iterations(5);

// One put delivered to 1,000 synced watchers of the same prefix.
void BM_WatchFanOut1000(benchmark::State& state) {
  KvStore kv;
  raftlab::watch::WatchableStore ws(&kv);
  for (int i = 0; i < 1'000; ++i) {
    etcdserverpb::WatchCreateRequest w;
    w.set_key("key");
    w.set_range_end("kez");
    (void)ws.Create(w);
  }
  ws.DrainAll();
  etcdserverpb::PutRequest p;
  p.set_value("v");
  int64_t i = 0;
  for (auto _ : state) {
    p.set_key(KeyOf(i++ % 100));
    benchmark::DoNotOptimize(ws.Put(p));
    auto out = ws.DrainAll();
    if (out.size() != 1'000) state.SkipWithError("not every watcher got the event");
  }
}
BENCHMARK(BM_WatchFanOut1000)->Unit(benchmark::kMicrosecond);

}  // namespace
