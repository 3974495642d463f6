// conformance_client: runs a script of etcd v3 API calls against one cluster
// and prints every outcome, normalized, one line each. The differential test
// (tests/live/conformance_test.sh) runs the same script against raftlab and
// etcd 3.4 and compares the two outputs line by line.
//
//   conformance_client --endpoints HOST:PORT,... SCRIPT.yaml
//
// The script is a YAML list of steps; each step is one call, written as the
// request in protobuf text format (see script.yaml for every kind):
//
//   - KV.Put: 'key: "a" value: "1"'
//     at: 1                 # the member to ask (index into --endpoints)
//     value_bytes: 2000000  # a Put's value, or each put of a Txn, this long
//     repeat: 129           # a Txn's first success op, copied this many times
//   - Watch.Send: {stream: w, request: 'create_request {key: "a"}'}
//   - Watch.Recv: {stream: w, count: 2}    # waits (bounded) for 2 responses
//   - Watch.Quiet: {stream: w}             # nothing more arrives in 300 ms
//   - Watch.Close: {stream: w}           # half-close; the server keeps it open?
//
// Normalized away, because they differ between any two runs or systems:
// the header's cluster id, member id and Raft term; HashKV's and Hash's hash
// (raftlab hashes its own record encoding, docs/live.md); every field of
// Status but the version; a lease's remaining TTL above 0 (printed as 1);
// a lease id the server chose (printed as 1).
// Lease lists are sorted by id, and the responses one Watch.Recv takes by
// watch id (keeping each watch's order). Values longer than 64 bytes print as their
// length and an FNV-1a hash.
//
// Exit: 0 when the script ran (the outcomes may be errors), 2 for a bad
// script or an endpoint that does not answer.
#include <grpcpp/grpcpp.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "rpc.grpc.pb.h"
#include "rpc.pb.h"

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Clock = std::chrono::steady_clock;

constexpr int kExitInput = 2;
constexpr auto kCallDeadline = std::chrono::seconds(10);

// A script error: what was wrong, at the script's line.
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const YAML::Node& at, const std::string& what) {
  throw ScriptError("line " + std::to_string(at.Mark().line + 1) + ", column " +
                    std::to_string(at.Mark().column + 1) + ": " + what);
}

// ---- Normalization -------------------------------------------------------

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void Normalize(Message* m) {
  const std::string& type = m->GetDescriptor()->full_name();
  const Reflection* r = m->GetReflection();
  if (type == "etcdserverpb.ResponseHeader") {
    auto* h = static_cast<etcdserverpb::ResponseHeader*>(m);
    h->clear_cluster_id();
    h->clear_member_id();
    h->clear_raft_term();
    return;
  }
  if (type == "etcdserverpb.HashKVResponse") static_cast<etcdserverpb::HashKVResponse*>(m)->clear_hash();
  if (type == "etcdserverpb.HashResponse") static_cast<etcdserverpb::HashResponse*>(m)->clear_hash();
  if (type == "etcdserverpb.StatusResponse") {
    auto* s = static_cast<etcdserverpb::StatusResponse*>(m);
    etcdserverpb::StatusResponse kept;
    kept.set_version(s->version());
    *s = kept;
  }
  if (type == "etcdserverpb.LeaseTimeToLiveResponse") {
    auto* t = static_cast<etcdserverpb::LeaseTimeToLiveResponse*>(m);
    if (t->ttl() > 0) t->set_ttl(1);
    std::sort(t->mutable_keys()->begin(), t->mutable_keys()->end());  // etcd: map order
  }
  if (type == "etcdserverpb.LeaseLeasesResponse") {
    auto* l = static_cast<etcdserverpb::LeaseLeasesResponse*>(m);
    std::sort(l->mutable_leases()->begin(), l->mutable_leases()->end(),
              [](const auto& a, const auto& b) { return a.id() < b.id(); });
  }
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*m, f); ++i) Normalize(r->MutableRepeatedMessage(m, f, i));
      } else {
        Normalize(r->MutableMessage(m, f));
      }
    } else if (f->type() == FieldDescriptor::TYPE_BYTES && !f->is_repeated()) {
      const std::string v = r->GetString(*m, f);
      if (v.size() > 64) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "<%zu bytes, fnv %016llx>", v.size(),
                      static_cast<unsigned long long>(Fnv1a(v)));
        r->SetString(m, f, buf);
      }
    }
  }
}

std::string Print(Message* m) {
  Normalize(m);
  google::protobuf::TextFormat::Printer p;
  p.SetSingleLineMode(true);
  p.SetUseUtf8StringEscaping(true);
  std::string out;
  p.PrintToString(*m, &out);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return m->GetDescriptor()->name() + " {" + out + "}";
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "Canceled";
    case grpc::UNKNOWN: return "Unknown";
    case grpc::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::NOT_FOUND: return "NotFound";
    case grpc::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::ABORTED: return "Aborted";
    case grpc::OUT_OF_RANGE: return "OutOfRange";
    case grpc::UNIMPLEMENTED: return "Unimplemented";
    case grpc::INTERNAL: return "Internal";
    case grpc::UNAVAILABLE: return "Unavailable";
    case grpc::DATA_LOSS: return "DataLoss";
    case grpc::UNAUTHENTICATED: return "Unauthenticated";
    default: return "?";
  }
}

std::string PrintError(const grpc::Status& s) {
  return std::string("error ") + CodeName(s.error_code()) + ": " + s.error_message();
}

// ---- One member's stubs, and watch streams -------------------------------

struct Member {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
};

// A watch stream and the responses its reader thread has received.
class WatchStream {
 public:
  explicit WatchStream(etcdserverpb::Watch::Stub* stub) : stream_(stub->Watch(&ctx_)) {
    reader_ = std::thread([this] {
      etcdserverpb::WatchResponse resp;
      while (stream_->Read(&resp)) {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(resp);
        cv_.notify_all();
      }
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~WatchStream() {
    ctx_.TryCancel();
    reader_.join();
  }

  bool Send(const etcdserverpb::WatchRequest& req) { return stream_->Write(req); }

  // Waits until `count` responses are there (or the stream ended, or the
  // deadline passed) and takes up to `count` of them.
  std::vector<etcdserverpb::WatchResponse> Take(size_t count, Clock::duration wait) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [&] { return received_.size() >= count || ended_; });
    std::vector<etcdserverpb::WatchResponse> out;
    while (!received_.empty() && out.size() < count) {
      out.push_back(std::move(received_.front()));
      received_.pop_front();
    }
    return out;
  }

  // Half-closes and waits a second: etcd keeps a half-closed stream open
  // (its watches still deliver) until the client cancels it. Returns what
  // arrived meanwhile; `ended` says whether the server ended the stream,
  // with `status`. Then cancels.
  std::vector<etcdserverpb::WatchResponse> Close(bool* ended, grpc::Status* status) {
    stream_->WritesDone();
    {
      std::unique_lock<std::mutex> lock(mu_);
      *ended = cv_.wait_for(lock, std::chrono::seconds(1), [&] { return ended_; });
    }
    ctx_.TryCancel();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return ended_; });
    }
    *status = stream_->Finish();
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<etcdserverpb::WatchResponse> out(received_.begin(), received_.end());
    received_.clear();
    return out;
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>>
      stream_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<etcdserverpb::WatchResponse> received_;
  bool ended_ = false;
};

// ---- The script ----------------------------------------------------------

template <typename T>
T ParseText(const YAML::Node& node) {
  T msg;
  google::protobuf::TextFormat::Parser parser;
  struct Collector : google::protobuf::io::ErrorCollector {
    std::string first;
    void AddError(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
      if (first.empty()) {
        first = "in the request text, line " + std::to_string(line + 1) + " column " +
                std::to_string(column + 1) + ": " + message;
      }
    }
  } errors;
  parser.RecordErrorsTo(&errors);
  if (!node.IsScalar()) Fail(node, std::string("expected a ") + T::descriptor()->name() + " in text format");
  if (!parser.ParseFromString(node.as<std::string>(), &msg)) Fail(node, errors.first);
  return msg;
}

class Runner {
 public:
  explicit Runner(std::vector<Member> members) : members_(std::move(members)) {}

  void Run(const YAML::Node& script) {
    if (!script.IsSequence()) Fail(script, "expected a list of steps");
    int n = 0;
    for (const YAML::Node& step : script) Step(++n, step);
  }

 private:
  // Calls and prints; `fix` may normalize what only this call knows about.
  template <typename Stub, typename Req, typename Resp>
  void Unary(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
             const Req& req, const std::function<void(Resp*)>& fix = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    Resp resp;
    const grpc::Status s = (stub->*method)(&ctx, req, &resp);
    if (s.ok() && fix) fix(&resp);
    Out(s.ok() ? Print(&resp) : PrintError(s));
  }

  void Out(const std::string& line) { std::printf("  %s\n", line.c_str()); }

  WatchStream* Stream(const YAML::Node& args, Member& m, bool create) {
    if (!args["stream"]) Fail(args, "expected stream: NAME");
    const std::string name = args["stream"].as<std::string>();
    auto it = streams_.find(name);
    if (it == streams_.end()) {
      if (!create) Fail(args, "no watch stream " + name + " was opened (Watch.Send opens one)");
      it = streams_.emplace(name, std::make_unique<WatchStream>(m.watch.get())).first;
    }
    return it->second.get();
  }

  void Step(int n, const YAML::Node& step) {
    if (!step.IsMap()) Fail(step, "expected a step: a map with one call");
    std::string call;
    YAML::Node arg;
    size_t at = 0;
    int64_t value_bytes = -1;
    int repeat = 0;
    for (const auto& kv : step) {
      const std::string key = kv.first.as<std::string>();
      if (key == "at") {
        at = kv.second.as<size_t>();
        if (at >= members_.size()) Fail(kv.second, "at: no member " + std::to_string(at));
      } else if (key == "value_bytes") {
        value_bytes = kv.second.as<int64_t>();
      } else if (key == "repeat") {
        repeat = kv.second.as<int>();
      } else if (!call.empty()) {
        Fail(kv.first, "a step makes one call; it already makes " + call);
      } else {
        call = key;
        arg = kv.second;
      }
    }
    if (call.empty()) Fail(step, "expected a call such as KV.Put");
    const std::string where = at ? " @" + std::to_string(at) : "";
    std::printf("#%d %s%s\n", n, call.c_str(), where.c_str());
    std::fflush(stdout);
    Member& m = members_[at];
    if (call == "KV.Range") {
      Unary(m.kv.get(), &etcdserverpb::KV::Stub::Range, ParseText<etcdserverpb::RangeRequest>(arg));
    } else if (call == "KV.Put") {
      auto req = ParseText<etcdserverpb::PutRequest>(arg);
      if (value_bytes >= 0) req.set_value(std::string(static_cast<size_t>(value_bytes), 'v'));
      Unary(m.kv.get(), &etcdserverpb::KV::Stub::Put, req);
    } else if (call == "KV.DeleteRange") {
      Unary(m.kv.get(), &etcdserverpb::KV::Stub::DeleteRange,
            ParseText<etcdserverpb::DeleteRangeRequest>(arg));
    } else if (call == "KV.Txn") {
      auto req = ParseText<etcdserverpb::TxnRequest>(arg);
      if (repeat > 0) {
        if (req.success_size() == 0) Fail(arg, "repeat needs a first success op");
        const etcdserverpb::RequestOp first = req.success(0);
        for (int i = 1; i < repeat; ++i) {
          etcdserverpb::RequestOp* op = req.add_success();
          *op = first;
          if (op->has_request_put()) op->mutable_request_put()->mutable_key()->append(std::to_string(i));
          if (op->has_request_range()) op->mutable_request_range()->mutable_key()->append(std::to_string(i));
        }
      }
      if (value_bytes >= 0) {
        for (auto& op : *req.mutable_success()) {
          if (op.has_request_put()) op.mutable_request_put()->set_value(std::string(size_t(value_bytes), 'v'));
        }
      }
      Unary(m.kv.get(), &etcdserverpb::KV::Stub::Txn, req);
    } else if (call == "KV.Compact") {
      Unary(m.kv.get(), &etcdserverpb::KV::Stub::Compact,
            ParseText<etcdserverpb::CompactionRequest>(arg));
    } else if (call == "Lease.LeaseGrant") {
      const auto req = ParseText<etcdserverpb::LeaseGrantRequest>(arg);
      // An id the server chose differs between runs: it prints as 1.
      Unary<etcdserverpb::Lease::Stub, etcdserverpb::LeaseGrantRequest, etcdserverpb::LeaseGrantResponse>(
          m.lease.get(), &etcdserverpb::Lease::Stub::LeaseGrant, req,
          [&req](etcdserverpb::LeaseGrantResponse* r) {
            if (req.id() == 0 && r->id() != 0) r->set_id(1);
          });
    } else if (call == "Lease.LeaseRevoke") {
      Unary(m.lease.get(), &etcdserverpb::Lease::Stub::LeaseRevoke,
            ParseText<etcdserverpb::LeaseRevokeRequest>(arg));
    } else if (call == "Lease.LeaseTimeToLive") {
      Unary(m.lease.get(), &etcdserverpb::Lease::Stub::LeaseTimeToLive,
            ParseText<etcdserverpb::LeaseTimeToLiveRequest>(arg));
    } else if (call == "Lease.LeaseLeases") {
      Unary(m.lease.get(), &etcdserverpb::Lease::Stub::LeaseLeases,
            ParseText<etcdserverpb::LeaseLeasesRequest>(arg));
    } else if (call == "Lease.LeaseKeepAlive") {
      // One request on a fresh stream, one response (etcdctl keep-alive --once).
      const auto req = ParseText<etcdserverpb::LeaseKeepAliveRequest>(arg);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
      auto stream = m.lease->LeaseKeepAlive(&ctx);
      etcdserverpb::LeaseKeepAliveResponse resp;
      const bool got = stream->Write(req) && stream->Read(&resp);
      stream->WritesDone();
      const grpc::Status s = stream->Finish();
      Out(got ? Print(&resp) : PrintError(s));
    } else if (call == "Maintenance.HashKV") {
      Unary(m.maintenance.get(), &etcdserverpb::Maintenance::Stub::HashKV,
            ParseText<etcdserverpb::HashKVRequest>(arg));
    } else if (call == "Maintenance.Status") {
      Unary(m.maintenance.get(), &etcdserverpb::Maintenance::Stub::Status,
            ParseText<etcdserverpb::StatusRequest>(arg));
    } else if (call == "Maintenance.Alarm") {
      Unary(m.maintenance.get(), &etcdserverpb::Maintenance::Stub::Alarm,
            ParseText<etcdserverpb::AlarmRequest>(arg));
    } else if (call == "Watch.Send") {
      if (!arg.IsMap() || !arg["request"]) Fail(arg, "expected {stream: NAME, request: '...'}");
      WatchStream* w = Stream(arg, m, /*create=*/true);
      if (!w->Send(ParseText<etcdserverpb::WatchRequest>(arg["request"]))) Out("send failed: the stream ended");
    } else if (call == "Watch.Recv") {
      if (!arg.IsMap() || !arg["count"]) Fail(arg, "expected {stream: NAME, count: N}");
      const size_t count = arg["count"].as<size_t>();
      const int timeout_ms = arg["timeout_ms"] ? arg["timeout_ms"].as<int>() : 10000;
      std::vector<etcdserverpb::WatchResponse> got =
          Stream(arg, m, false)->Take(count, std::chrono::milliseconds(timeout_ms));
      // Responses of different watches may come in either order; each
      // watch's own stay in order.
      std::stable_sort(got.begin(), got.end(),
                       [](const auto& a, const auto& b) { return a.watch_id() < b.watch_id(); });
      for (auto& r : got) Out(Print(&r));
      if (got.size() < count) Out("timed out: " + std::to_string(got.size()) + " of " + std::to_string(count));
    } else if (call == "Watch.Quiet") {
      // Whatever arrives within the wait is printed; a correct server sends nothing.
      const int ms = arg["ms"] ? arg["ms"].as<int>() : 300;
      std::vector<etcdserverpb::WatchResponse> got =
          Stream(arg, m, false)->Take(1000000, std::chrono::milliseconds(ms));
      for (auto& r : got) Out(Print(&r));
      if (got.empty()) Out("quiet");
    } else if (call == "Watch.Close") {
      WatchStream* w = Stream(arg, m, false);
      bool ended = false;
      grpc::Status s;
      std::vector<etcdserverpb::WatchResponse> rest = w->Close(&ended, &s);
      for (auto& r : rest) Out(Print(&r));
      if (!ended) {
        Out("open after the half-close");
      } else {
        Out("ended by the server: " + (s.ok() ? std::string("OK") : PrintError(s)));
      }
      streams_.erase(arg["stream"].as<std::string>());
    } else {
      Fail(step, "unknown call " + call +
                     " (expected KV.*, Lease.*, Watch.Send/Recv/Quiet/Close, Maintenance.HashKV/Status/Alarm)");
    }
    std::fflush(stdout);
  }

  std::vector<Member> members_;
  std::map<std::string, std::unique_ptr<WatchStream>> streams_;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::string(argv[1]) != "--endpoints") {
    std::fprintf(stderr, "usage: conformance_client --endpoints HOST:PORT,... SCRIPT.yaml\n");
    return kExitInput;
  }
  const std::string path = argv[3];
  std::vector<Member> members;
  for (const std::string& e : Split(argv[2], ',')) {
    Member m;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    m.channel = grpc::CreateCustomChannel(e, grpc::InsecureChannelCredentials(), args);
    if (!m.channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "conformance_client: %s does not answer\n", e.c_str());
      return kExitInput;
    }
    m.kv = etcdserverpb::KV::NewStub(m.channel);
    m.lease = etcdserverpb::Lease::NewStub(m.channel);
    m.watch = etcdserverpb::Watch::NewStub(m.channel);
    m.maintenance = etcdserverpb::Maintenance::NewStub(m.channel);
    members.push_back(std::move(m));
  }
  if (members.empty()) {
    std::fprintf(stderr, "conformance_client: --endpoints is empty\n");
    return kExitInput;
  }
  try {
    const YAML::Node script = YAML::LoadFile(path);
    Runner(std::move(members)).Run(script);
  } catch (const ScriptError& e) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), e.what());
    return kExitInput;
  } catch (const YAML::Exception& e) {
    std::fprintf(stderr, "%s: line %d, column %d: %s\n", path.c_str(), e.mark.line + 1,
                 e.mark.column + 1, e.msg.c_str());
    return kExitInput;
  }
  return 0;
}
