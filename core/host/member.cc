#include "core/host/member.h"

#include "core/base/check.h"
#include "core/storage/snapshot_file.h"

namespace raftlab::host {
namespace {

// Snapshot files kept: the newest, and one before it in case the newest is
// damaged on disk (recovery then falls back to it and replays more WAL).
constexpr size_t kSnapshotFilesKept = 2;

}  // namespace

Result<std::unique_ptr<Member>> Member::Open(const server::ServerConfig& config,
                                             storage::FileSystem* fs,
                                             const storage::WalOptions& wal_options, Prng* prng,
                                             const raft::ConfState& initial, int64_t now_ms) {
  CHECK(fs != nullptr);
  CHECK(prng != nullptr);
  std::unique_ptr<Member> m(new Member());
  m->fs_ = fs;
  m->ack_before_fsync_ = config.bugs.Has(Bug::kAckBeforeFsync);
  Result<storage::Recovered> r = storage::Recover(fs, wal_options, &m->wal_);
  if (!r) return tl::unexpected(r.error());
  m->recovered_ = std::move(*r);
  if (config.backend != nullptr) {
    RAFTLAB_RETURN_IF_ERROR(server::Server::CheckBackend(config.backend, m->recovered_, config.bugs));
  }
  m->now_ms_ = now_ms;
  m->server_ = std::make_unique<server::Server>(config, prng, m->recovered_, initial, now_ms);
  return m;
}

Result<std::optional<raft::Ready>> Member::Persist() {
  if (phase_ != Phase::kIdle || !server_->HasReady()) return std::optional<raft::Ready>();
  raft::Ready rd = server_->GetReady();
  phase_ = Phase::kPersisted;
  if (!rd.snapshot.IsEmpty()) {
    // The state the leader sent goes to its own file first; the WAL record
    // then says the log was reset to it.
    RAFTLAB_RETURN_IF_ERROR(storage::SaveSnapshot(fs_, rd.snapshot));
    RAFTLAB_RETURN_IF_ERROR(
        wal_->SaveSnapshotInstalled(rd.snapshot.metadata.index, rd.snapshot.metadata.term));
  }
  RAFTLAB_RETURN_IF_ERROR(wal_->Save(rd.hard_state, rd.entries));
  return std::optional<raft::Ready>(std::move(rd));
}

Status Member::Sync() {
  CHECK(phase_ == Phase::kPersisted);
  RAFTLAB_RETURN_IF_ERROR(wal_->Sync());
  phase_ = Phase::kSynced;
  return OkStatus();
}

std::vector<raft::Message> Member::TakeMessages(raft::Ready* rd) {
  // The durability rule: a vote or an acknowledgement promises state that
  // must be on disk before it leaves.
  if (!ack_before_fsync_) CHECK(phase_ == Phase::kSynced);
  CHECK(phase_ != Phase::kIdle);
  return std::exchange(rd->messages, {});
}

Status Member::Advance(const raft::Ready& rd, int64_t now_ms, server::Server::Apply apply) {
  CHECK(phase_ == Phase::kSynced);
  // Messages left behind would never be sent: the host must take them first.
  CHECK(rd.messages.empty());
  server_->Advance(rd, now_ms, apply);
  phase_ = Phase::kIdle;
  now_ms_ = now_ms;
  RAFTLAB_RETURN_IF_ERROR(CommitBackend(/*force=*/false));
  return SaveSnapshotTaken();
}

Status Member::ApplyDeferred(int64_t now_ms) {
  if (server_->deferred().empty()) return OkStatus();
  server_->ApplyDeferred(now_ms);
  now_ms_ = now_ms;
  RAFTLAB_RETURN_IF_ERROR(CommitBackend(/*force=*/false));
  return SaveSnapshotTaken();
}

Status Member::CommitBackend(bool force) {
  backend::Backend* b = server_->backend();
  if (b == nullptr || (!force && !b->CommitDue(now_ms_))) return OkStatus();
  // The consistent index goes into the same commit as the data it covers.
  server_->WriteBackendMeta();
  return b->Commit(now_ms_);
}

Status Member::DefragmentBackend() {
  backend::Backend* b = server_->backend();
  if (b == nullptr) return OkStatus();
  // Defragment commits the batch first: its meta must be current.
  server_->WriteBackendMeta();
  return b->Defragment(now_ms_);
}

Status Member::SaveSnapshotTaken() {
  std::optional<raft::Snapshot> s = server_->TakeSnapshotToSave();
  if (!s) return OkStatus();
  // etcd commits its backend before a snapshot: the WAL before the snapshot
  // may go, so everything applied up to it must be durable in the backend.
  RAFTLAB_RETURN_IF_ERROR(CommitBackend(/*force=*/true));
  RAFTLAB_RETURN_IF_ERROR(storage::SaveSnapshot(fs_, *s));
  RAFTLAB_RETURN_IF_ERROR(wal_->ReleaseTo(s->metadata.index));
  return storage::ReleaseSnapshots(fs_, kSnapshotFilesKept);
}

}  // namespace raftlab::host
