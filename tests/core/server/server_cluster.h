// A deterministic in-memory cluster of KV servers for tests: message
// queues, a shared millisecond clock, and per-member durable storage (WAL
// and snapshot files on a MemoryFileSystem) so members crash and recover
// through core/storage exactly as they would from disk.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/base/check.h"
#include "core/server/server.h"
#include "core/storage/memory_file_system.h"
#include "core/storage/snapshot_file.h"

namespace raftlab::server::testing {

class ServerCluster {
 public:
  struct Member {
    std::unique_ptr<Prng> prng;
    storage::MemoryFileSystem fs;
    std::optional<storage::Wal> wal;
    std::unique_ptr<Server> server;  // null while crashed
    std::vector<serverpb::ClientResponse> responses;
    uint64_t incarnation = 0;  // the boot counter a real host would keep on disk
  };

  ServerCluster(int size, ServerConfig base, uint64_t seed = 1) : base_(base), root_(seed) {
    for (int i = 1; i <= size; ++i) initial_.voters.push_back(static_cast<raft::NodeId>(i));
    for (raft::NodeId id : initial_.voters) {
      Member& m = members_[id];
      m.prng = std::make_unique<Prng>(root_.Split());
      Start(id);
    }
  }

  Server& server(raft::NodeId id) { return *members_.at(id).server; }
  Member& member(raft::NodeId id) { return members_.at(id); }
  int64_t now_ms() const { return now_ms_; }

  // One tick of every live member's clock, then everything settles.
  void Tick() {
    now_ms_ += base_.tick_ms;
    for (auto& [id, m] : members_) {
      if (m.server) m.server->Tick(now_ms_);
    }
    Settle();
  }
  void TickFor(int64_t ms) {
    for (int64_t t = 0; t < ms; t += base_.tick_ms) Tick();
  }

  // Handles Readies and delivers messages until quiet.
  void Settle() {
    for (int round = 0; round < 1000; ++round) {
      bool busy = false;
      for (auto& [id, m] : members_) busy |= HandleReadies(id, m);
      std::vector<raft::Message> msgs = std::exchange(queue_, {});
      for (const raft::Message& msg : msgs) {
        busy = true;
        if (cut_.count(msg.from) || cut_.count(msg.to)) continue;  // partitioned
        auto it = members_.find(msg.to);
        if (it != members_.end() && it->second.server) it->second.server->Step(msg);
      }
      if (!busy) return;
    }
    CHECK_MSG(false, "cluster did not settle");
  }

  std::optional<raft::NodeId> Leader() {
    for (auto& [id, m] : members_) {
      if (m.server && m.server->raw_node().raft().state() == raft::StateRole::kLeader &&
          !cut_.count(id)) {
        return id;
      }
    }
    return std::nullopt;
  }
  raft::NodeId WaitForLeader(int max_ticks = 200) {
    for (int i = 0; i < max_ticks && !Leader(); ++i) Tick();
    CHECK(Leader().has_value());
    return *Leader();
  }

  // Submits to a member and runs until it answers (or max_ticks pass).
  std::optional<serverpb::ClientResponse> Call(raft::NodeId id, serverpb::ClientRequest req,
                                               int max_ticks = 200) {
    req.set_id(++next_client_id_);
    server(id).Submit(req, now_ms_);
    Settle();
    for (int i = 0; i <= max_ticks; ++i) {
      Collect();
      std::vector<serverpb::ClientResponse>& got = members_.at(id).responses;
      for (size_t k = 0; k < got.size(); ++k) {
        if (got[k].id() == req.id()) {
          serverpb::ClientResponse r = got[k];
          got.erase(got.begin() + static_cast<long>(k));
          return r;
        }
      }
      Tick();
    }
    return std::nullopt;
  }

  void Collect() {
    for (auto& [id, m] : members_) {
      if (!m.server) continue;
      for (auto& r : m.server->TakeResponses()) m.responses.push_back(std::move(r));
    }
  }

  // The member applies asynchronously: its Readys are advanced unapplied
  // until ApplyDeferred(id) (Server::Apply::kDeferred).
  void DeferApply(raft::NodeId id) { deferred_.insert(id); }
  void ApplyDeferred(raft::NodeId id) {
    server(id).ApplyDeferred(now_ms_);
    SaveSnapshot(members_.at(id));
    Settle();
  }
  // Messages of `type` any member sent since the start or ResetSent().
  int Sent(raft::MessageType type) const {
    auto it = sent_.find(type);
    return it == sent_.end() ? 0 : it->second;
  }
  void ResetSent() { sent_.clear(); }
  void Isolate(raft::NodeId id) { cut_.insert(id); }
  void Heal() { cut_.clear(); }
  void Crash(raft::NodeId id) {
    Member& m = members_.at(id);
    m.server.reset();
    m.wal.reset();
    m.fs.Crash();
  }
  void Start(raft::NodeId id) {
    Member& m = members_.at(id);
    Result<storage::Recovered> r = storage::Recover(&m.fs, storage::WalOptions{4096}, &m.wal);
    CHECK_MSG(r.has_value(), r ? "" : r.error().message);
    ServerConfig c = base_;
    c.id = id;
    c.incarnation = ++m.incarnation;
    m.server = std::make_unique<Server>(c, m.prng.get(), *r, initial_, now_ms_);
    SaveSnapshot(m);
  }

 private:
  bool HandleReadies(raft::NodeId id, Member& m) {
    bool busy = false;
    while (m.server && m.server->HasReady()) {
      busy = true;
      raft::Ready rd = m.server->GetReady();
      // Persist, then send, then apply (the Ready contract).
      if (!rd.snapshot.IsEmpty()) {
        CHECK(storage::SaveSnapshot(&m.fs, rd.snapshot).has_value());
        CHECK(m.wal->SaveSnapshotInstalled(rd.snapshot.metadata.index,
                                           rd.snapshot.metadata.term).has_value());
      }
      CHECK(m.wal->Save(rd.hard_state, rd.entries).has_value());
      CHECK(m.wal->Sync().has_value());
      for (raft::Message& msg : rd.messages) {
        ++sent_[msg.type];
        queue_.push_back(std::move(msg));
      }
      m.server->Advance(rd, now_ms_,
                        deferred_.count(id) ? Server::Apply::kDeferred : Server::Apply::kNow);
      SaveSnapshot(m);
    }
    return busy;
  }
  void SaveSnapshot(Member& m) {
    std::optional<raft::Snapshot> s = m.server->TakeSnapshotToSave();
    if (!s) return;
    CHECK(storage::SaveSnapshot(&m.fs, *s).has_value());
    CHECK(m.wal->ReleaseTo(s->metadata.index).has_value());
  }

  ServerConfig base_;
  Prng root_;
  raft::ConfState initial_;
  std::map<raft::NodeId, Member> members_;
  std::vector<raft::Message> queue_;
  std::set<raft::NodeId> cut_;
  std::map<raft::MessageType, int> sent_;
  std::set<raft::NodeId> deferred_;
  int64_t now_ms_ = 0;
  uint64_t next_client_id_ = 0;
};

}  // namespace raftlab::server::testing
