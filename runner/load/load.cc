#include "runner/load/load.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include "checker/json.h"
#include "core/base/prng.h"
#include "rpc.grpc.pb.h"
#include "runner/url.h"
#include "sim/history.h"

namespace raftlab::runner {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

enum class Op { kPut, kGet, kSerializableGet, kTxn };

struct ClientResult {
  std::vector<sim::HistoryOp> history;
  std::vector<int64_t> latencies_us;  // successful operations
  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t unknown = 0;
};

// Errors after which the request certainly had no effect. Reads never
// change anything; a write that failed any other way (a timeout, a lost
// connection, "request timed out") may still take effect.
bool Definite(const grpc::Status& s, bool write) {
  if (!write) return true;
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      break;
  }
  const std::string& m = s.error_message();
  if (m == "etcdserver: no leader" || m == "etcdserver: not leader" ||
      m == "etcdserver: proposal dropped" || m == "raft proposal dropped") {
    return true;
  }
  // gRPC could not connect at all: the request never left this process.
  return s.error_code() == grpc::StatusCode::UNAVAILABLE &&
         m.find("failed to connect to all addresses") != std::string::npos;
}

class Client {
 public:
  Client(int index, std::shared_ptr<grpc::Channel> channel, const LoadOptions& o,
         const std::vector<Op>& mix, Clock::time_point epoch, int64_t timeout_ms)
      : index_(index), stub_(etcdserverpb::KV::NewStub(channel)), options_(o), mix_(mix),
        epoch_(epoch), timeout_ms_(timeout_ms), prng_(o.seed * 1000003 + index),
        stream_(static_cast<uint64_t>(index)) {}

  void Run(Clock::time_point end, std::atomic<uint64_t>* done) {
    while (Clock::now() < end) {
      const uint64_t failures = result_.failed + result_.unknown;
      Step();
      done->fetch_add(1, std::memory_order_relaxed);
      // After a failure, back off a little (as clientv3 does) rather than
      // hammer a member that is down.
      if (result_.failed + result_.unknown != failures) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  ClientResult& result() { return result_; }

  // A linearizable read of `key` into the history (the final reads).
  void Read(const std::string& key) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    sim::HistoryOp h = Invoke(key);
    h.f = "get";
    etcdserverpb::RangeRequest req;
    req.set_key(key);
    etcdserverpb::RangeResponse resp;
    const grpc::Status s = stub_->Range(&ctx, req, &resp);
    if (s.ok()) {
      h.result_present = true;
      if (resp.kvs_size() > 0) h.result = resp.kvs(0).value();
      h.revision = resp.header().revision();
    }
    const uint64_t started = h.invoke_ns;
    Finish(std::move(h), s, false, started, true, /*count=*/false);
  }

 private:
  uint64_t NowNs() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - epoch_).count());
  }

  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms_));
  }

  // A history record for an operation on `key` invoked now.
  sim::HistoryOp Invoke(const std::string& key) {
    sim::HistoryOp h;
    h.client = stream_;
    h.op_id = (static_cast<uint64_t>(index_) << 40) | ++op_seq_;
    h.key = key;
    h.invoke_ns = NowNs();
    return h;
  }

  std::string Value() {
    std::string v = fmt::format("c{}-{}", index_, ++seq_);
    if (static_cast<int>(v.size()) < options_.value_size) v.resize(options_.value_size, 'x');
    return v;
  }

  // Records `op`'s outcome; `count`: in the run's figures (not the final reads).
  void Finish(sim::HistoryOp op, const grpc::Status& status, bool write, uint64_t started_ns,
              bool record, bool count = true) {
    const uint64_t now = NowNs();
    if (status.ok()) {
      op.status = "ok";
      op.return_ns = now;
      if (count) {
        ++result_.ok;
        result_.latencies_us.push_back(static_cast<int64_t>((now - started_ns) / 1000));
      }
    } else if (Definite(status, write)) {
      op.status = "fail";
      op.return_ns = now;
      op.error = status.error_message();
      if (count) ++result_.failed;
    } else {
      op.status = "info";  // may still take effect: a new client stream from here
      op.error = status.error_message();
      if (count) ++result_.unknown;
    }
    if (record) result_.history.push_back(std::move(op));
    if (!status.ok() && !Definite(status, write)) stream_ += 1u << 20;
  }

  void Step() {
    const Op op = mix_[prng_.Index(mix_.size())];
    const std::string key = fmt::format("k{}", prng_.Index(static_cast<uint64_t>(options_.keys)));
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    sim::HistoryOp h = Invoke(key);
    const uint64_t started = h.invoke_ns;
    switch (op) {
      case Op::kPut: {
        etcdserverpb::PutRequest req;
        req.set_key(key);
        req.set_value(Value());
        etcdserverpb::PutResponse resp;
        const grpc::Status s = stub_->Put(&ctx, req, &resp);
        h.f = "put";
        h.value = req.value();
        if (s.ok()) {
          h.revision = resp.header().revision();
          last_[key] = req.value();
        }
        Finish(std::move(h), s, true, started, true);
        return;
      }
      case Op::kGet:
      case Op::kSerializableGet: {
        etcdserverpb::RangeRequest req;
        req.set_key(key);
        req.set_serializable(op == Op::kSerializableGet);
        etcdserverpb::RangeResponse resp;
        const grpc::Status s = stub_->Range(&ctx, req, &resp);
        h.f = "get";
        if (s.ok()) {
          h.result_present = true;
          if (resp.kvs_size() > 0) {
            h.result = resp.kvs(0).value();
            last_[key] = resp.kvs(0).value();
          } else {
            last_.erase(key);
          }
          h.revision = resp.header().revision();
        }
        Finish(std::move(h), s, false, started, op == Op::kGet);
        return;
      }
      case Op::kTxn: {
        // Compare-and-swap against what this client last saw of the key.
        etcdserverpb::TxnRequest req;
        etcdserverpb::Compare* c = req.add_compare();
        c->set_key(key);
        auto seen = last_.find(key);
        if (seen == last_.end()) {
          c->set_target(etcdserverpb::Compare::VERSION);
          c->set_result(etcdserverpb::Compare::EQUAL);
          c->set_version(0);
          h.compare_absent = true;
        } else {
          c->set_target(etcdserverpb::Compare::VALUE);
          c->set_result(etcdserverpb::Compare::EQUAL);
          c->set_value(seen->second);
          h.compare_value = seen->second;
        }
        const std::string value = Value();
        etcdserverpb::PutRequest* put = req.add_success()->mutable_request_put();
        put->set_key(key);
        put->set_value(value);
        // On failure, read the key: the next attempt compares against it.
        req.add_failure()->mutable_request_range()->set_key(key);
        etcdserverpb::TxnResponse resp;
        const grpc::Status s = stub_->Txn(&ctx, req, &resp);
        h.f = "txn";
        h.value = value;
        if (s.ok()) {
          h.succeeded = resp.succeeded();
          h.revision = resp.header().revision();
          if (resp.succeeded()) {
            last_[key] = value;
          } else if (resp.responses_size() == 1 && resp.responses(0).has_response_range()) {
            const etcdserverpb::RangeResponse& got = resp.responses(0).response_range();
            if (got.kvs_size() > 0) {
              last_[key] = got.kvs(0).value();
            } else {
              last_.erase(key);
            }
          }
        }
        Finish(std::move(h), s, true, started, true);
        return;
      }
    }
  }

  int index_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  const LoadOptions& options_;
  const std::vector<Op>& mix_;
  Clock::time_point epoch_;
  int64_t timeout_ms_;
  Prng prng_;
  uint64_t stream_;
  uint64_t seq_ = 0;
  uint64_t op_seq_ = 0;
  std::map<std::string, std::string> last_;  // the value this client last saw per key
  ClientResult result_;
};

double Percentile(const std::vector<int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const size_t i = std::min(sorted_us.size() - 1, static_cast<size_t>(p * sorted_us.size()));
  return static_cast<double>(sorted_us[i]) / 1000.0;
}

}  // namespace

int64_t ParseDurationMs(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                  text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return -1;
  const double value = std::strtod(text.substr(0, digits).c_str(), nullptr);
  const std::string unit = text.substr(digits);
  if (unit == "ms") return static_cast<int64_t>(value);
  if (unit == "s" || unit.empty()) return static_cast<int64_t>(value * 1000);
  if (unit == "m") return static_cast<int64_t>(value * 60000);
  return -1;
}

int RunLoad(const LoadOptions& o) {
  Result<std::vector<HostPort>> endpoints = ParseEndpoints(o.endpoints);
  if (!endpoints) {
    std::fprintf(stderr, "raftlab load: %s\n", endpoints.error().message.c_str());
    return kExitInput;
  }
  const int64_t duration_ms = ParseDurationMs(o.duration);
  const int64_t timeout_ms = ParseDurationMs(o.timeout);
  if (duration_ms <= 0 || timeout_ms <= 0) {
    std::fprintf(stderr, "raftlab load: --duration and --timeout take e.g. 10s or 500ms\n");
    return kExitInput;
  }
  std::vector<Op> mix;
  if (o.op == "put") mix = {Op::kPut};
  else if (o.op == "get") mix = {Op::kGet};
  else if (o.op == "sget") mix = {Op::kSerializableGet};
  else if (o.op == "txn") mix = {Op::kTxn};
  else if (o.op == "mixed") mix = {Op::kGet, Op::kGet, Op::kPut, Op::kPut, Op::kTxn};
  else {
    std::fprintf(stderr, "raftlab load: --op %s: expected put, get, sget, txn or mixed\n",
                 o.op.c_str());
    return kExitInput;
  }
  if (o.clients < 1 || o.keys < 1 || o.value_size < 0) {
    std::fprintf(stderr, "raftlab load: --clients and --keys must be positive\n");
    return kExitInput;
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const HostPort& hp : *endpoints) {
    channels.push_back(grpc::CreateChannel(hp.ToString(), grpc::InsecureChannelCredentials()));
  }
  for (size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i]->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      std::fprintf(stderr, "raftlab load: %s does not answer\n", (*endpoints)[i].ToString().c_str());
      return kExitInput;
    }
  }
  const Clock::time_point epoch = Clock::now();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_unique<Client>(i, channels[i % channels.size()], o, mix, epoch,
                                               timeout_ms));
  }
  std::atomic<uint64_t> done{0};
  const Clock::time_point end = epoch + std::chrono::milliseconds(duration_ms);
  std::vector<std::thread> threads;
  for (auto& c : clients) threads.emplace_back([&c, end, &done] { c->Run(end, &done); });
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  if (tty) {
    while (Clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      const double s = std::chrono::duration<double>(Clock::now() - epoch).count();
      std::printf("\r%s: %.0f s, %lu ops, %.0f/s   ", o.op.c_str(), s,
                  static_cast<unsigned long>(done.load()), static_cast<double>(done.load()) / s);
      std::fflush(stdout);
    }
    std::printf("\r\033[K");
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - epoch).count();
  if (o.final_reads) {
    for (int k = 0; k < o.keys; ++k) clients[static_cast<size_t>(k) % clients.size()]->Read(fmt::format("k{}", k));
  }

  ClientResult all;
  std::vector<sim::HistoryOp> history;
  for (auto& c : clients) {
    ClientResult& r = c->result();
    all.ok += r.ok;
    all.failed += r.failed;
    all.unknown += r.unknown;
    all.latencies_us.insert(all.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
    history.insert(history.end(), std::make_move_iterator(r.history.begin()),
                   std::make_move_iterator(r.history.end()));
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  if (!o.history.empty()) {
    std::sort(history.begin(), history.end(),
              [](const sim::HistoryOp& a, const sim::HistoryOp& b) { return a.invoke_ns < b.invoke_ns; });
    std::ofstream out(o.history, std::ios::binary);
    out << sim::ToJsonLines(history);
    if (!out) {
      std::fprintf(stderr, "raftlab load: cannot write %s\n", o.history.c_str());
      return kExitInput;
    }
  }
  const double rate = static_cast<double>(all.ok) / seconds;
  if (o.json) {
    checker::json::Out out;
    out.w.StartObject();
    out.Text("op", o.op);
    out.Int("clients", o.clients);
    out.Fixed("seconds", seconds, 2);
    out.Uint("ok", all.ok);
    out.Uint("failed", all.failed);
    out.Uint("unknown", all.unknown);
    out.Fixed("p50_ms", Percentile(all.latencies_us, 0.50), 3);
    out.Fixed("p90_ms", Percentile(all.latencies_us, 0.90), 3);
    out.Fixed("p99_ms", Percentile(all.latencies_us, 0.99), 3);
    out.Fixed("max_ms", Percentile(all.latencies_us, 1.0), 3);
    out.Fixed("ops_per_s", rate, 1);
    out.w.EndObject();
    std::printf("%s\n", out.str().c_str());
  } else {
    std::printf("%s: %d clients, %.1f s: %lu ok (%.1f/s), %lu failed, %lu unknown; latency p50 "
                "%.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                o.op.c_str(), o.clients, seconds, static_cast<unsigned long>(all.ok), rate,
                static_cast<unsigned long>(all.failed), static_cast<unsigned long>(all.unknown),
                Percentile(all.latencies_us, 0.50), Percentile(all.latencies_us, 0.90),
                Percentile(all.latencies_us, 0.99), Percentile(all.latencies_us, 1.0));
  }
  return kExitOk;
}

}  // namespace raftlab::runner
