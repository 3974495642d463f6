#include "runner/node.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include "core/base/bugs.h"
#include "runner/api/services.h"
#include "runner/backend/lmdb_backend.h"
#include "runner/log.h"
#include "runner/member_loop.h"
#include "runner/peer/transport.h"
#include "runner/posix_file_system.h"
#include "runner/stop_signals.h"
#include "runner/url.h"

namespace raftlab::runner {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;
constexpr const char* kIncarnationFile = "incarnation";

int Fail(const std::string& what) {
  std::fprintf(stderr, "raftlab node: %s\n", what.c_str());
  return kExitInput;
}

// The boot counter request ids embed (core/server/server.h): read, bump,
// and make durable before the member starts.
Result<uint64_t> NextIncarnation(PosixFileSystem* fs) {
  uint64_t previous = 0;
  if (fs->Exists(kIncarnationFile)) {
    Result<std::string> text = fs->Read(kIncarnationFile);
    if (!text) return tl::unexpected(text.error());
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), previous);
    if (ec != std::errc()) {
      return MakeError(ErrorCode::kCorruption,
                       fmt::format("{}/{}: expected a number", fs->dir(), kIncarnationFile));
    }
  }
  const uint64_t next = previous + 1;
  const std::string tmp = std::string(kIncarnationFile) + ".tmp";
  if (fs->Exists(tmp)) RAFTLAB_RETURN_IF_ERROR(fs->Remove(tmp));
  RAFTLAB_RETURN_IF_ERROR(fs->Append(tmp, std::to_string(next)));
  RAFTLAB_RETURN_IF_ERROR(fs->Sync(tmp));
  RAFTLAB_RETURN_IF_ERROR(fs->Rename(tmp, kIncarnationFile));
  return next;
}

}  // namespace

uint64_t ClusterIdOf(const std::string& initial_cluster) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : initial_cluster) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h == 0 ? 1 : h;
}

int RunNode(const NodeOptions& o) {
  // Signals go to WaitForStopSignal below, never to a worker thread: block them
  // before any thread starts.
  const sigset_t stop_signals = BlockStopSignals();

  Result<std::vector<ClusterMember>> cluster = ParseInitialCluster(o.initial_cluster);
  if (!cluster) return Fail(cluster.error().message);
  raft::NodeId self = raft::kNone;
  for (size_t i = 0; i < cluster->size(); ++i) {
    if ((*cluster)[i].name == o.name) self = i + 1;
  }
  if (self == raft::kNone) {
    return Fail(fmt::format("--name {}: not in --initial-cluster", o.name));
  }
  std::map<uint64_t, HostPort> dial;  // member id -> where to reach it instead
  if (!o.peer_dial.empty()) {
    Result<std::vector<ClusterMember>> via = ParseInitialCluster(o.peer_dial);
    if (!via) return Fail("--peer-dial: " + via.error().message);
    for (const ClusterMember& v : *via) {
      uint64_t id = 0;
      for (size_t i = 0; i < cluster->size(); ++i) {
        if ((*cluster)[i].name == v.name) id = i + 1;
      }
      if (id == 0 || id == self) {
        return Fail(fmt::format("--peer-dial {}: expected another member of --initial-cluster",
                                v.name));
      }
      dial[id] = *ParseUrl(v.peer_url);  // ParseInitialCluster checked it
    }
  }
  Result<HostPort> peer_addr = ParseUrl(o.listen_peer);
  if (!peer_addr) return Fail("--listen-peer: " + peer_addr.error().message);
  Result<HostPort> client_addr = ParseUrl(o.listen_client);
  if (!client_addr) return Fail("--listen-client: " + client_addr.error().message);
  if (o.heartbeat_ms <= 0 || o.election_ms < 2 * o.heartbeat_ms) {
    return Fail("--election-timeout must be at least twice --heartbeat-interval");
  }
  BugSet bugs;
  for (const std::string& b : o.bugs) {
    const std::optional<Bug> bug = BugFromName(b);
    if (!bug) return Fail(fmt::format("--bug {}: unknown (raftlab zoo --list names them)", b));
    bugs.Add(*bug);
  }

  MemberLog log(o.log_file, o.name);
  Result<std::unique_ptr<PosixFileSystem>> fs = PosixFileSystem::Open(o.data_dir);
  if (!fs) return Fail("--data-dir: " + fs.error().message);
  Result<uint64_t> incarnation = NextIncarnation(fs->get());
  if (!incarnation) return Fail("--data-dir: " + incarnation.error().message);

  // The state lives in LMDB below the data directory (core/backend, issue
  // 23): a restart loads it and replays only the WAL after its consistent
  // index.
  const std::string backend_dir = o.data_dir + "/backend";
  if (::mkdir(backend_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Fail(fmt::format("--data-dir: {}: {}", backend_dir, std::strerror(errno)));
  }
  Result<std::unique_ptr<LmdbBackend>> backend = LmdbBackend::Open(backend_dir, backend::BatchOptions{});
  if (!backend) return Fail("--data-dir: " + backend.error().message);

  const uint64_t cluster_id = ClusterIdOf(o.initial_cluster);
  MemberLoop::Options lo;
  server::ServerConfig& sc = lo.server;
  sc.backend = backend->get();
  sc.id = self;
  sc.incarnation = *incarnation;
  sc.cluster_id = cluster_id;
  sc.tick_ms = o.heartbeat_ms;
  sc.heartbeat_tick = 1;
  sc.election_tick = static_cast<int>(o.election_ms / o.heartbeat_ms);
  sc.pre_vote = o.pre_vote;
  sc.check_quorum = true;
  sc.batch_reads = true;  // etcd's linearizableReadLoop (reports/BENCHMARKS.md)
  sc.refuse_bad_entries = true;  // peers are not trusted (core/server/server_config.h)
  sc.snapshot_entries = o.snapshot_count;
  sc.snapshot_catchup_entries = 5000;  // etcd's snapshot-catchup-entries
  // etcd's ReqTimeout: 5 s plus two election timeouts.
  sc.request_timeout_ms = 5000 + 2 * o.election_ms;
  sc.logger = &log;
  sc.bugs = bugs;
  for (size_t i = 0; i < cluster->size(); ++i) {
    serverpb::MemberInfo m;
    m.set_id(i + 1);
    m.set_name((*cluster)[i].name);
    m.add_peer_urls((*cluster)[i].peer_url);
    sc.initial_members.push_back(std::move(m));
    lo.initial.voters.push_back(i + 1);
  }
  sc.local_attributes.set_id(self);
  sc.local_attributes.set_name(o.name);
  sc.local_attributes.add_client_urls(o.listen_client);
  lo.prng_seed = (cluster_id ^ (self * 0x9E3779B97F4A7C15ull)) + *incarnation;

  std::unique_ptr<peer::Transport> transport;
  std::unique_ptr<MemberLoop> loop;
  MemberLoop::Hooks hooks;
  hooks.send = [&transport](std::vector<raft::Message> msgs) {
    for (raft::Message& m : msgs) transport->Send(std::move(m));
  };
  hooks.forward = [&transport](uint64_t to, peer::FrameType type, std::string payload) {
    transport->Forward(to, type, std::move(payload));
  };
  hooks.members_changed = [&transport, &log, &dial](const std::vector<etcdserverpb::Member>& members) {
    std::map<uint64_t, HostPort> peers;
    for (const etcdserverpb::Member& m : members) {
      if (auto via = dial.find(m.id()); via != dial.end()) {
        peers[m.id()] = via->second;
        continue;
      }
      if (m.peerurls().empty()) continue;
      Result<HostPort> hp = ParseUrl(m.peerurls(0));
      if (!hp) {
        log.Line(fmt::format("member {}: bad peer URL {}", m.id(), m.peerurls(0)));
        continue;
      }
      peers[m.id()] = *hp;
    }
    transport->SetPeers(peers);
  };
  hooks.fatal = [&log](const std::string& why) {
    log.Line("stopping: " + why);
    std::fprintf(stderr, "raftlab node: the disk failed, the member stops: %s\n", why.c_str());
    std::fflush(nullptr);
    std::_Exit(kExitInput);
  };
  hooks.log = [&log](const std::string& line) { log.Line(line); };

  peer::Transport::Options to;
  to.cluster_id = cluster_id;
  to.self = self;
  to.listen = *peer_addr;
  peer::Transport::Handlers th;
  th.message = [&loop](raft::Message m) { loop->Deliver(std::move(m)); };
  th.forward_request = [&loop](uint64_t from, serverpb::ClientRequest req) {
    loop->DeliverForwardRequest(from, std::move(req));
  };
  th.forward_response = [&loop](serverpb::ClientResponse resp) {
    loop->DeliverForwardResponse(std::move(resp));
  };
  th.unreachable = [&loop](uint64_t to) { loop->ReportUnreachable(to); };
  th.snapshot_status = [&loop](uint64_t to, bool failed) { loop->ReportSnapshot(to, failed); };
  th.log = [&log](const std::string& line) { log.Line(line); };

  Result<std::unique_ptr<MemberLoop>> opened = MemberLoop::Open(lo, hooks, fs->get());
  if (!opened) return Fail("--data-dir " + o.data_dir + ": " + opened.error().message);
  loop = std::move(*opened);

  Result<std::unique_ptr<peer::Transport>> started = peer::Transport::Start(to, th);
  if (!started) return Fail("--listen-peer: " + started.error().message);
  transport = std::move(*started);

  api::ApiOptions ao;
  api::KvService kv(loop.get(), ao);
  api::WatchService watch(loop.get(), ao);
  api::LeaseService lease(loop.get(), ao);
  api::ClusterService members(loop.get(), ao);
  api::MaintenanceService maintenance(loop.get(), ao);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(client_addr->ToString(), grpc::InsecureServerCredentials(), &bound_port);
  // Above etcd's request limit, so that raftlab's own check answers with
  // etcd's error (as etcd's server does: the limit plus 512 KiB).
  builder.SetMaxReceiveMessageSize(static_cast<int>(ao.max_request_bytes + 512 * 1024));
  // Every handler blocks until the loop answers, so the sync server keeps a
  // thread per request in flight. With gRPC's default of at most 2 idle
  // pollers it ends a thread after nearly every request and starts another
  // for the next: under load, creating and ending threads was among the
  // top costs in perf (reports/BENCHMARKS.md). Keep enough of them alive
  // for a busy client set.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 128);
  builder.RegisterService(&kv);
  builder.RegisterService(&watch);
  builder.RegisterService(&lease);
  builder.RegisterService(&members);
  builder.RegisterService(&maintenance);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || bound_port == 0) {
    transport->Stop();
    return Fail("--listen-client: cannot serve on " + client_addr->ToString());
  }

  loop->Start();
  log.Line(fmt::format("member {} (id {}) of cluster {:x}: clients on {}, peers on {}, "
                       "data in {} (incarnation {})",
                       o.name, self, cluster_id, o.listen_client, o.listen_peer, o.data_dir,
                       *incarnation));
  const int sig = WaitForStopSignal(stop_signals);
  log.Line(fmt::format("stopping on signal {}", sig));
  grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  transport->Stop();
  loop->Stop();
  log.Line("stopped");
  return kExitOk;
}

}  // namespace raftlab::runner
