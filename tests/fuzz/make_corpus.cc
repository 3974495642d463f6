// Writes the seed corpora of the fuzz targets that take the core's own
// encodings (server_apply, raft_step, peer_frame, client_request): requests
// and messages a real three-member cluster produced, in each target's input
// format. Run once and checked in; rerun after a format change:
//
//   build/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/raft/codec.h"
#include "core/storage/record.h"
#include "runner/peer/frame.h"
#include "tests/fuzz/fuzz_member.h"

namespace {

using namespace raftlab;
namespace fs = std::filesystem;

std::string Record(uint8_t kind, const std::string& body) {
  CHECK(body.size() < 65536);
  std::string out;
  out.push_back(static_cast<char>(kind));
  out.push_back(static_cast<char>(body.size() & 0xFF));
  out.push_back(static_cast<char>(body.size() >> 8));
  return out + body;
}

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

serverpb::ClientRequest Put(const std::string& key, const std::string& value, int64_t lease = 0) {
  serverpb::ClientRequest r;
  r.mutable_put()->set_key(key);
  r.mutable_put()->set_value(value);
  r.mutable_put()->set_lease(lease);
  r.mutable_put()->set_prev_kv(true);
  return r;
}

// The client requests every seed starts from: each kind of call once.
std::vector<serverpb::ClientRequest> Requests() {
  std::vector<serverpb::ClientRequest> out;
  out.push_back(Put("a", "1"));
  out.push_back(Put("b", "2"));
  out.push_back(Put("a", "3"));
  serverpb::ClientRequest r;
  r.mutable_range()->set_key("a");
  r.mutable_range()->set_range_end("c");
  out.push_back(r);
  r.Clear();
  r.set_serializable(true);
  r.mutable_range()->set_key("a");
  r.mutable_range()->set_revision(2);
  out.push_back(r);
  r.Clear();
  auto* txn = r.mutable_txn();
  auto* cmp = txn->add_compare();
  cmp->set_key("a");
  cmp->set_target(etcdserverpb::Compare::VALUE);
  cmp->set_result(etcdserverpb::Compare::EQUAL);
  cmp->set_value("3");
  txn->add_success()->mutable_request_put()->set_key("c");
  txn->add_failure()->mutable_request_range()->set_key("a");
  out.push_back(r);
  r.Clear();
  r.mutable_delete_range()->set_key("b");
  r.mutable_delete_range()->set_prev_kv(true);
  out.push_back(r);
  r.Clear();
  r.mutable_lease_grant()->set_ttl(60);
  r.mutable_lease_grant()->set_id(7);
  out.push_back(r);
  out.push_back(Put("l", "leased", 7));
  r.Clear();
  r.mutable_lease_keep_alive()->set_id(7);
  out.push_back(r);
  r.Clear();
  r.mutable_lease_time_to_live()->set_id(7);
  r.mutable_lease_time_to_live()->set_keys(true);
  out.push_back(r);
  r.Clear();
  r.mutable_compaction()->set_revision(3);
  out.push_back(r);
  r.Clear();
  r.mutable_lease_revoke()->set_id(7);
  out.push_back(r);
  r.Clear();
  r.mutable_alarm()->set_action(serverpb::ALARM_GET);
  out.push_back(r);
  return out;
}

// A three-member cluster of FuzzMembers joined by a message queue.
struct Cluster {
  std::map<raft::NodeId, std::unique_ptr<fuzz::FuzzMember>> members;
  std::vector<raft::Message> to_one;  // every message member 1 received
  std::map<uint64_t, raft::Entry> replicated;  // every entry a MsgApp carried, by index
  bool one_cut = false;  // member 1 partitioned away

  explicit Cluster(const server::ServerConfig& config) {
    raft::ConfState initial;
    initial.voters = {1, 2, 3};
    for (raft::NodeId id : initial.voters) {
      members[id] = std::make_unique<fuzz::FuzzMember>(id, initial, config, id);
    }
  }
  void Settle() {
    std::deque<raft::Message> queue;
    for (int round = 0; round < 1000; ++round) {
      for (auto& [id, m] : members) {
        for (raft::Message& msg : m->Drain()) queue.push_back(std::move(msg));
      }
      if (queue.empty()) return;
      while (!queue.empty()) {
        raft::Message msg = std::move(queue.front());
        queue.pop_front();
        if (msg.type == raft::MessageType::kApp) {
          for (const raft::Entry& e : msg.entries) replicated[e.index] = e;
        }
        if (one_cut && (msg.to == 1 || msg.from == 1)) continue;
        if (msg.to == 1) to_one.push_back(msg);
        members.at(msg.to)->server().Step(msg);
      }
    }
  }
  void Tick() {
    for (auto& [id, m] : members) m->Tick();
    Settle();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus CORPUS_DIR\n");
    return 2;
  }
  const fs::path root = argv[1];
  const std::vector<serverpb::ClientRequest> requests = Requests();

  // client_request: all requests in one seed, and a watch with them.
  {
    std::string all;
    etcdserverpb::WatchCreateRequest w;
    w.set_key("a");
    w.set_range_end("z");
    w.set_prev_kv(true);
    w.set_start_revision(1);
    all += Record(1, w.SerializeAsString());
    for (const auto& r : requests) all += Record(0, r.SerializeAsString());
    Write(root / "client_request", "every-call-with-a-watch", all);
    std::string ticking;
    for (const auto& r : requests) ticking += Record(2, r.SerializeAsString());
    Write(root / "client_request", "every-call-with-ticks", ticking);
  }

  // A cluster where member 2 leads; small snapshots so one is sent.
  server::ServerConfig config;
  config.snapshot_entries = 8;
  config.snapshot_catchup_entries = 2;
  Cluster c(config);
  for (int i = 0; i < 60 && c.members.at(2)->server().raw_node().raft().state() !=
                                raft::StateRole::kLeader; ++i) {
    c.members.at(2)->Tick();  // only member 2's clock: it campaigns first
    c.Settle();
  }
  CHECK(c.members.at(2)->server().raw_node().raft().state() == raft::StateRole::kLeader);
  // Member 1 is cut off while the requests are served, so it has to catch
  // up from a snapshot afterwards.
  c.one_cut = true;
  uint64_t id = 0;
  for (serverpb::ClientRequest r : requests) {
    r.set_id(++id);
    c.members.at(2)->server().Submit(r, c.members.at(2)->now_ms());
    c.Settle();
    c.Tick();
  }
  c.one_cut = false;
  for (int i = 0; i < 5; ++i) c.Tick();

  // server_apply: every entry replicated, as records.
  {
    std::string seed;
    for (const auto& [index, e] : c.replicated) {
      const uint8_t kind = e.type == raft::EntryType::kNormal       ? 0
                           : e.type == raft::EntryType::kConfChange ? 1
                                                                    : 2;
      if (!e.data.empty()) seed += Record(kind, e.data);
    }
    raft::ConfChangeV2 add;
    add.changes.push_back({raft::ConfChangeType::kAddLearnerNode, 4});
    seed += Record(2, raft::EncodeConfChangeV2(add));
    Write(root / "server_apply", "a-cluster-wal", seed);
    std::printf("server_apply: %zu entries\n", c.replicated.size());
  }

  // raft_step: what member 1 received, once per starting role; peer_frame:
  // member 2's messages as frames after a handshake (a MsgSnap's state in
  // chunks ahead of it), then a forwarded request, as structured records.
  std::string messages;
  std::string frames;
  std::string ids;  // cluster 1, from 2, to 1 (fuzz_peer_frame reads them little-endian)
  for (uint64_t v : {1, 2, 1}) storage::PutU64(&ids, v);
  frames += Record(8, ids);
  int snaps = 0;
  for (raft::Message m : c.to_one) {
    messages += Record(m.from == 3 ? 1 : 0, raft::EncodeMessage(m));
    if (m.from != 2) continue;
    if (m.type == raft::MessageType::kSnap) {
      ++snaps;
      const std::string data = std::exchange(m.snapshot->data, {});
      for (size_t at = 0; at < data.size(); at += 60000) {
        frames += Record(uint8_t(runner::peer::FrameType::kSnapshotChunk), data.substr(at, 60000));
      }
    }
    frames += Record(uint8_t(runner::peer::FrameType::kMessage), raft::EncodeMessage(m));
  }
  frames += Record(uint8_t(runner::peer::FrameType::kForwardRequest),
                   requests[0].SerializeAsString());
  for (uint8_t role = 0; role < 4; ++role) {
    Write(root / "raft_step", "received-by-1-role-" + std::to_string(role),
          std::string(1, static_cast<char>(role)) + messages);
  }
  std::printf("raft_step: %zu messages, %d snapshots\n", c.to_one.size(), snaps);
  Write(root / "peer_frame", "a-follower-connection", std::string(1, char(7)) + frames);
  return 0;
}
