// Member: what both hosts of the core do the same way with one member's
// durable state. The simulator (sim/node_host) and the live runner
// (runner/member_loop) each drive one Member; only what differs between a
// simulated and a real process (time, fsync latency, sockets, faults) stays
// in the host.
//
// Pure over storage::FileSystem: no clocks, threads or sockets. It owns the
// KV server, the WAL and the snapshot files, and enforces the order of the
// Ready contract (core/raft/raw_node.h) as a small state machine:
//
//   std::optional<raft::Ready> rd = *member.Persist();  // snapshot file, WAL records
//   member.Sync();                                       // the host's fsync
//   for (raft::Message& m : member.TakeMessages(&*rd)) send(m);  // only now
//   member.Advance(*rd, now_ms, apply);                  // apply, Advance, snapshots
//
// The simulator calls Sync a simulated fsync latency after Persist; the
// runner calls it at once. Every disk error comes back as a Status: the
// member must then stop (as etcd does) and may be restarted from its files.
//
// Recovery (Open): the newest valid snapshot, the WAL replayed after it, a
// torn WAL tail cut off; any other damage is refused with an error naming
// the file and byte offset, and nothing is applied. With a backend
// (ServerConfig::backend) the state comes from it instead, and only the
// WAL's entries after its consistent index are applied; its batch commits
// on its own policy after each Ready and always before a snapshot is
// written (so the WAL a snapshot releases is never needed again).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/base/prng.h"
#include "core/base/result.h"
#include "core/raft/types.h"
#include "core/server/server.h"
#include "core/storage/file_system.h"
#include "core/storage/recovery.h"
#include "core/storage/wal.h"

namespace raftlab::host {

class Member {
 public:
  // Recovers the member's state from `fs` and starts its server; a member
  // with no state yet bootstraps from `initial`, and the host must then
  // write its bootstrap snapshot (SaveSnapshotTaken) before anything else.
  // `fs` and `prng` must outlive the Member. `config.incarnation` must grow
  // with every start. Errors: damaged files (kCorruption, naming the file
  // and offset), or the device failing (kIo).
  static Result<std::unique_ptr<Member>> Open(const server::ServerConfig& config,
                                              storage::FileSystem* fs,
                                              const storage::WalOptions& wal_options, Prng* prng,
                                              const raft::ConfState& initial, int64_t now_ms);

  server::Server& server() { return *server_; }
  const server::Server& server() const { return *server_; }
  // What recovery found (entries replayed, damaged snapshots skipped, a torn
  // tail cut off), for the host's log.
  const storage::Recovered& recovered() const { return recovered_; }
  const std::vector<std::string>& wal_segments() const { return wal_->segments(); }

  // Whether a Ready is between Persist and Advance.
  bool ready_in_flight() const { return phase_ != Phase::kIdle; }

  // 1. Takes the server's next Ready (nullopt if there is none, or one is
  // already in flight) and appends it: an installed snapshot to its own file
  // and a WAL record, then the hard state and entries. Nothing is synced.
  Result<std::optional<raft::Ready>> Persist();
  // 2. Makes everything Persist appended durable (the WAL's fsync).
  Status Sync();
  // 3. The Ready's messages, which may leave now that it is durable.
  // REQUIRES: Sync() succeeded for this Ready, unless the bug zoo's
  // ack-before-fsync (B10) is planted, which sends them before the fsync.
  std::vector<raft::Message> TakeMessages(raft::Ready* rd);
  // 4. Applies the Ready (now, or queued under kDeferred), advances Raft,
  // and writes the snapshot the server took meanwhile, if any.
  Status Advance(const raft::Ready& rd, int64_t now_ms, server::Server::Apply apply);
  // Applies what Advance(..., kDeferred) queued; writes a snapshot if taken.
  Status ApplyDeferred(int64_t now_ms);
  // Writes the snapshot the server took, if any (after Open: a new member's
  // bootstrap state), and releases the WAL segments and snapshot files it
  // covers. Advance and ApplyDeferred call it themselves.
  Status SaveSnapshotTaken();
  // With a backend (config.backend): commits its batch, with the server's
  // meta, if it is due (force: now). Advance and ApplyDeferred call it.
  Status CommitBackend(bool force);
  // Commits the backend (with the server's meta) and defragments it; OK
  // and nothing to do without one.
  Status DefragmentBackend();

 private:
  enum class Phase { kIdle, kPersisted, kSynced };

  Member() = default;

  storage::FileSystem* fs_ = nullptr;
  storage::Recovered recovered_;
  std::optional<storage::Wal> wal_;
  std::unique_ptr<server::Server> server_;
  Phase phase_ = Phase::kIdle;
  bool ack_before_fsync_ = false;  // bug zoo B10
  int64_t now_ms_ = 0;             // the host's clock at the last Advance
};

}  // namespace raftlab::host
