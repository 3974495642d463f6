// A member for the fuzz targets that drive the core: host::Member (the code
// both hosts share) over an in-memory file system, with the Ready loop run
// to quiet. Deterministic: a fixed seed and a clock the target advances.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/backend/file_backend.h"
#include "core/base/check.h"
#include "core/base/prng.h"
#include "core/host/member.h"
#include "core/storage/memory_file_system.h"
#include "core/storage/recovery.h"
#include "core/storage/wal.h"

namespace raftlab::fuzz {

// Reads the fuzz input as a sequence of records: a kind byte, a 16-bit
// little-endian length, then that many bytes (cut short at the end).
class RecordReader {
 public:
  RecordReader(const uint8_t* data, size_t size)
      : bytes_(reinterpret_cast<const char*>(data), size) {}
  bool Next(uint8_t* kind, std::string_view* body) {
    if (bytes_.size() < 3) return false;
    *kind = static_cast<uint8_t>(bytes_[0]);
    size_t n = static_cast<uint8_t>(bytes_[1]) | (size_t{static_cast<uint8_t>(bytes_[2])} << 8);
    bytes_.remove_prefix(3);
    n = std::min(n, bytes_.size());
    *body = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view bytes_;
};

class FuzzMember {
 public:
  // With `backend`, the state lives in a FileBackend on the same file
  // system (core/backend), as a live member's lives in LMDB.
  FuzzMember(raft::NodeId id, const raft::ConfState& initial,
             server::ServerConfig config = server::ServerConfig(), uint64_t seed = 1,
             bool backend = false)
      : config_(std::move(config)), prng_(seed), initial_(initial), with_backend_(backend) {
    config_.id = id;
    Open();
  }

  // Recovers from the files (a restart), as a real member does.
  void Restart() {
    Close();
    Open();
  }

  // Stops the member, appends `entries` (numbered and termed after the
  // log's last) to its WAL with a hard state that commits them all, and
  // restarts it: recovery then applies them, as after a crash. This is how
  // a WAL record that passes its checksum reaches the state machine.
  void CommitThroughWal(std::vector<raft::Entry> entries) {
    Close();
    std::optional<storage::Wal> wal;
    Result<storage::Recovered> r = storage::Recover(&fs_, storage::WalOptions{}, &wal);
    CHECK_MSG(r.has_value(), r ? "" : r.error().message);
    uint64_t last = r->snapshot ? r->snapshot->metadata.index : 0;
    uint64_t term = std::max<uint64_t>(r->hard_state.term, 1);
    if (!r->entries.empty()) last = r->entries.back().index;
    for (raft::Entry& e : entries) {
      e.index = ++last;
      e.term = term;
    }
    raft::HardState hs = r->hard_state;
    hs.term = term;
    hs.commit = last;
    CHECK(wal->Save(hs, entries).has_value());
    CHECK(wal->Sync().has_value());
    wal.reset();
    Open();
  }

  // Runs the Ready contract until the server has nothing more to do;
  // returns the messages it sent.
  std::vector<raft::Message> Drain() {
    std::vector<raft::Message> sent;
    for (int round = 0; round < 10000; ++round) {
      Result<std::optional<raft::Ready>> rd = member_->Persist();
      CHECK_MSG(rd.has_value(), rd ? "" : rd.error().message);
      if (!rd->has_value()) return sent;
      CHECK(member_->Sync().has_value());
      for (raft::Message& m : member_->TakeMessages(&**rd)) sent.push_back(std::move(m));
      Status s = member_->Advance(**rd, now_ms_, server::Server::Apply::kNow);
      CHECK_MSG(s.has_value(), s ? "" : s.error().message);
    }
    CHECK_MSG(false, "the member did not settle");
    return sent;
  }

  void Tick() {
    now_ms_ += config_.tick_ms;
    member_->server().Tick(now_ms_);
  }

  server::Server& server() { return member_->server(); }
  storage::MemoryFileSystem& fs() { return fs_; }
  int64_t now_ms() const { return now_ms_; }

 private:
  // A stop: what the backend's batch held since its last commit is lost.
  void Close() {
    member_.reset();
    backend_.reset();
  }
  void Open() {
    config_.incarnation = ++incarnation_;
    if (with_backend_) {
      auto b = backend::FileBackend::Open(&fs_, backend::BatchOptions{});
      CHECK_MSG(b.has_value(), b ? "" : b.error().message);
      backend_ = std::move(*b);
      config_.backend = backend_.get();
    }
    auto m = host::Member::Open(config_, &fs_, storage::WalOptions{}, &prng_, initial_, now_ms_);
    CHECK_MSG(m.has_value(), m ? "" : m.error().message);
    member_ = std::move(*m);
    CHECK(member_->SaveSnapshotTaken().has_value());
  }

  server::ServerConfig config_;
  Prng prng_;
  raft::ConfState initial_;
  bool with_backend_ = false;
  storage::MemoryFileSystem fs_;
  std::unique_ptr<backend::FileBackend> backend_;  // before member_: it outlives it
  std::unique_ptr<host::Member> member_;
  uint64_t incarnation_ = 0;
  int64_t now_ms_ = 0;
};

}  // namespace raftlab::fuzz
