// Server: construction and recovery, the Ready loop, leadership changes,
// ticks (timeouts, lease expiry, quota) and snapshots.
#include "core/server/server.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/check.h"
#include "core/base/fixed64.h"
#include "core/mvcc/hash.h"
#include "core/mvcc/snapshot.h"

namespace raftlab::server {
Server::Server(const ServerConfig& config, Prng* prng, const storage::Recovered& recovered,
               const raft::ConfState& initial, int64_t now_ms)
    : config_(config),
      lessor_(std::make_unique<lease::Lessor>(config.MinLeaseTtlSeconds())),
      kv_(std::make_unique<mvcc::KvStore>(lessor_.get())),
      watchable_(kv_.get()) {
  CHECK_NE(config.id, raft::kNone);
  kv_->set_bugs(config.bugs);
  watchable_.set_bugs(config.bugs);
  CHECK_LT(config.id, uint64_t{1} << 16);
  raft::Snapshot snapshot;
  if (recovered.snapshot) {
    snapshot = *recovered.snapshot;
  } else {
    // A new member: its first state is the empty store at index 1, under
    // the initial configuration. The host persists it like any snapshot.
    CHECK(!initial.voters.empty());
    consistent_index_ = 1;
    conf_state_ = initial;
    for (const serverpb::MemberInfo& m : config.initial_members) members_[m.id()] = m;
    snapshot.metadata = raft::SnapshotMetadata{initial, 1, 1};
    snapshot.data = EncodeState();
    snapshot_to_save_ = snapshot;
  }
  CHECK(storage_.ApplySnapshot(snapshot));
  storage_.Append(recovered.entries);
  raft::HardState hs = recovered.hard_state;
  if (hs.IsEmpty()) hs = raft::HardState{snapshot.metadata.term, raft::kNone, snapshot.metadata.index};
  storage_.SetHardState(hs);
  RestoreState(snapshot.data);
  CHECK_EQ(consistent_index_, snapshot.metadata.index);
  if (config_.bugs.Has(Bug::kApplyIndexNotAtomic)) {
    // Bug zoo B11 (apply-index-not-atomic): the applied index is taken
    // from a record written apart from the state (here: the durable commit
    // index) rather than from the state itself, so the entries between the
    // snapshot and the commit are never replayed on this member (etcd
    // #13766: consistent_index persisted outside the apply transaction).
    consistent_index_ = std::max(consistent_index_, std::min(hs.commit, storage_.LastIndex()));
  }
  conf_state_ = snapshot.metadata.conf_state;
  last_snapshot_index_ = snapshot.metadata.index;
  applied_term_ = snapshot.metadata.term;
  if (config_.backend != nullptr) UseBackend();

  raft::Config c;
  c.id = config.id;
  c.election_tick = config.election_tick;
  c.heartbeat_tick = config.heartbeat_tick;
  c.storage = &storage_;
  c.applied = consistent_index_;
  c.max_size_per_msg = config.max_size_per_msg;
  c.max_inflight_msgs = config.max_inflight_msgs;
  if (config.max_uncommitted_bytes != 0) c.max_uncommitted_entries_size = config.max_uncommitted_bytes;
  c.check_quorum = config.check_quorum;
  c.pre_vote = config.pre_vote;
  c.read_only_option = config.read_only;
  c.max_clock_drift_ppm = config.max_clock_drift_ppm;
  c.prng = prng;
  c.logger = config.logger;
  c.bugs = config.bugs;
  raw_ = std::make_unique<raft::RawNode>(c);
  soft_state_ = raw_->raft().GetSoftState();
  MAYBE(now_ms > 0);
}

std::string Server::EncodeState() const {
  serverpb::ServerState st = StateWithoutMvcc();
  st.set_mvcc(mvcc::EncodeSnapshot(*kv_));
  return st.SerializeAsString();
}

serverpb::ServerState Server::StateWithoutMvcc() const {
  serverpb::ServerState st;
  st.set_consistent_index(consistent_index_);
  st.set_lessor(lessor_->Encode());
  st.set_nospace(nospace_);
  for (const auto& [origin, ids] : applied_ids_) {
    for (uint64_t id : ids) st.add_applied_ids(id);
  }
  for (const auto& [id, info] : members_) *st.add_members() = info;
  return st;
}

Status Server::ValidateSnapshot(const raft::Snapshot& snapshot) {
  const std::string& bytes = snapshot.data;
  serverpb::ServerState st;
  if (!st.ParseFromString(bytes)) {
    return MakeError(ErrorCode::kCorruption, "snapshot state is not a ServerState");
  }
  // The TTL floor only matters for leases granted later; any value decodes.
  Result<lease::Lessor> lessor = lease::Lessor::Decode(st.lessor(), 1);
  if (!lessor) return tl::unexpected(lessor.error());
  Result<mvcc::KvStore> kv = mvcc::DecodeSnapshot(st.mvcc(), BugSet{});
  if (!kv) return tl::unexpected(kv.error());
  if (st.consistent_index() != snapshot.metadata.index) {
    return MakeError(ErrorCode::kCorruption,
                     fmt::format("snapshot state of index {} in a snapshot at index {}",
                                 st.consistent_index(), snapshot.metadata.index));
  }
  const raft::ConfState& cs = snapshot.metadata.conf_state;
  for (const serverpb::MemberInfo& m : st.members()) {
    if (!IsMember(cs, m.id())) {
      return MakeError(ErrorCode::kCorruption,
                       fmt::format("snapshot state names member {}, not in its configuration", m.id()));
    }
  }
  return OkStatus();
}

void Server::RestoreState(const std::string& bytes) {
  serverpb::ServerState st;
  // Snapshots arrive through checksummed files or from the leader; bytes
  // that do not parse mean the leader or the disk lied: stop, loudly.
  CHECK_MSG(st.ParseFromString(bytes), "snapshot state does not parse");
  Result<mvcc::KvStore> kv = mvcc::DecodeSnapshot(st.mvcc(), config_.bugs);
  CHECK_MSG(kv.has_value(), kv ? "" : kv.error().message);
  RestoreFrom(st, std::move(*kv));
}

void Server::RestoreFrom(const serverpb::ServerState& st, mvcc::KvStore kv) {
  Result<lease::Lessor> lessor = lease::Lessor::Decode(st.lessor(), config_.MinLeaseTtlSeconds());
  CHECK_MSG(lessor.has_value(), lessor ? "" : lessor.error().message);
  *lessor_ = std::move(*lessor);
  *kv_ = std::move(kv);
  kv_->set_lease_binder(lessor_.get());
  consistent_index_ = st.consistent_index();
  nospace_ = st.nospace();
  applied_ids_.clear();
  for (uint64_t id : st.applied_ids()) applied_ids_[id >> 48].insert(id);
  members_.clear();
  for (const serverpb::MemberInfo& m : st.members()) members_[m.id()] = m;
  db_bytes_ = 0;
  for (const auto& [rev, record] : kv_->records()) {
    db_bytes_ += static_cast<int64_t>(record.kv.key().size() + record.kv.value().size());
  }
}

void Server::Tick(int64_t now_ms) {
  raw_->Tick();
  // A backend's size changes when the host commits it, after the applies
  // that check the quota: check again on the clock.
  if (config_.backend != nullptr) CheckQuota();
  ExpireRequests(now_ms);
  ExpireLeases(now_ms);
  MaybePublish(now_ms);
  if (config_.watch_progress_ms > 0 && now_ms - last_progress_ms_ >= config_.watch_progress_ms) {
    last_progress_ms_ = now_ms;
    watchable_.TickProgress();
  }
}

void Server::Step(const raft::Message& m) { raw_->Step(m); }

raft::StepResult Server::ProposeConfChange(const raft::ConfChangeV2& cc) {
  return raw_->ProposeConfChange(cc);
}

void Server::Advance(const raft::Ready& rd, int64_t now_ms, Apply apply) {
  if (rd.soft_state) OnSoftState(*rd.soft_state);
  // Entries apply in log order: whatever is queued goes before a snapshot
  // or before entries applied now.
  if (apply == Apply::kNow || !rd.snapshot.IsEmpty()) ApplyQueued(now_ms);
  // Mirror what the host made durable, so Raft can read it back.
  if (!rd.snapshot.IsEmpty()) {
    CHECK(storage_.ApplySnapshot(rd.snapshot));
    ApplySnapshot(rd.snapshot);
  }
  if (!rd.hard_state.IsEmpty()) storage_.SetHardState(rd.hard_state);
  storage_.Append(rd.entries);
  if (apply == Apply::kNow) {
    for (const raft::Entry& e : rd.committed_entries) ApplyEntry(e, now_ms);
  } else if (!rd.committed_entries.empty()) {
    deferred_.push_back(rd.committed_entries);
  }
  for (const raft::ReadState& rs : rd.read_states) {
    const uint64_t round = DecodeFixed64(rs.request_ctx).value_or(0);
    for (auto& [id, read] : pending_reads_) {
      if (read.round == round) read.read_index = rs.index;
    }
  }
  if (apply == Apply::kNow) {
    raw_->Advance();
  } else {
    raw_->AdvanceUnapplied();
  }
  AfterApply(now_ms);
}

void Server::ApplyDeferred(int64_t now_ms) {
  if (deferred_.empty()) return;
  ApplyQueued(now_ms);
  AfterApply(now_ms);
}

void Server::ApplyQueued(int64_t now_ms) {
  while (!deferred_.empty()) {
    const std::vector<raft::Entry> batch = std::move(deferred_.front());
    deferred_.pop_front();
    for (const raft::Entry& e : batch) ApplyEntry(e, now_ms);
    raw_->AppliedTo(batch.back().index);
  }
}

void Server::AfterApply(int64_t now_ms) {
  ServeReads(now_ms);
  watchable_.SyncWatchers();
  MaybeSnapshot();
  if (promote_at_index_ != 0 && consistent_index_ >= promote_at_index_ &&
      soft_state_.role == raft::StateRole::kLeader) {
    // Everything from earlier terms is applied: take over lease expiry,
    // giving every lease a fresh election timeout on top of its TTL (S8.6).
    lessor_->Promote(now_ms, config_.ElectionTimeoutMs());
    promote_at_index_ = 0;
  }
  CheckQuota();
}

void Server::OnSoftState(const raft::SoftState& ss) {
  const bool was_leader = soft_state_.role == raft::StateRole::kLeader;
  const bool is_leader = ss.role == raft::StateRole::kLeader;
  if (is_leader && !was_leader) {
    // Its empty entry of the new term (and everything before) must be
    // applied before it may judge lease expiry.
    promote_at_index_ = raw_->raft().raft_log().LastIndex();
    nospace_proposed_ = false;
    revoke_proposed_at_.clear();
  }
  if (was_leader && !is_leader) {
    // Bug zoo B22 (lease-deposed-primary): the lessor stays primary after
    // raft stepped down, so this member keeps expiring leases on its own
    // clock (see ExpireLeases) and renewing them (see Submit) although the
    // new leader is the one clients must reach (etcd #15247).
    if (!config_.bugs.Has(Bug::kLeaseDeposedPrimary)) {
      lessor_->Demote();  // a follower never expires leases (S8.5)
    }
    promote_at_index_ = 0;
  }
  soft_state_ = ss;
}

void Server::ExpireRequests(int64_t now_ms) {
  for (auto it = pending_writes_.begin(); it != pending_writes_.end();) {
    if (it->second.deadline_ms > now_ms) {
      ++it;
      continue;
    }
    // Proposed but not seen applied: it may still commit. Say so.
    serverpb::ClientResponse resp;
    resp.set_id(it->second.client_id);
    resp.set_outcome(serverpb::OUTCOME_UNKNOWN);
    resp.set_error("etcdserver: request timed out");
    Respond(std::move(resp));
    it = pending_writes_.erase(it);  // if it applies later, nobody is waiting
  }
  for (auto it = pending_reads_.begin(); it != pending_reads_.end();) {
    if (it->second.deadline_ms > now_ms) {
      ++it;
      continue;
    }
    RespondError(it->second.request.id(), "etcdserver: request timed out");
    it = pending_reads_.erase(it);
  }
}

void Server::ExpireLeases(int64_t now_ms) {
  if (!lessor_->is_primary()) return;
  // Bug zoo B22 (lease-deposed-primary): a deposed primary proposes revokes
  // (forwarded to the real leader) for leases it alone saw expire.
  const bool deposed_acts = config_.bugs.Has(Bug::kLeaseDeposedPrimary);
  if (!LeaderNow() && !deposed_acts) return;
  for (int64_t id : lessor_->ExpiredLeases(now_ms)) {
    auto it = revoke_proposed_at_.find(id);
    if (it != revoke_proposed_at_.end() && it->second + config_.request_timeout_ms > now_ms) {
      continue;  // already proposed; retry only if it did not go through
    }
    serverpb::InternalRequest r;
    r.set_id(NextInternalId());
    r.mutable_lease_revoke()->set_id(id);
    if (raw_->Propose(r.SerializeAsString()) == raft::StepResult::kOk) {
      revoke_proposed_at_[id] = now_ms;
    }
  }
}

void Server::CheckQuota() {
  if (!LeaderNow() || nospace_ || nospace_proposed_) return;
  // etcd's quota is on its backend's size (bbolt's file), which only a
  // defragment shrinks; without a backend, on the bytes ever written.
  const int64_t used = config_.backend != nullptr ? config_.backend->Size() : db_bytes_;
  if (used <= config_.quota_bytes) return;
  serverpb::InternalRequest r;
  r.set_id(NextInternalId());
  r.mutable_alarm()->set_action(serverpb::ALARM_ACTIVATE);
  r.mutable_alarm()->set_member_id(config_.id);
  if (raw_->Propose(r.SerializeAsString()) == raft::StepResult::kOk) nospace_proposed_ = true;
}

void Server::MaybeSnapshot() {
  const bool due = consistent_index_ >= last_snapshot_index_ + config_.snapshot_entries;
  if (!due && !(snapshot_now_ && consistent_index_ > last_snapshot_index_)) return;
  snapshot_now_ = false;
  raft::StorageResult<raft::Snapshot> snap =
      storage_.CreateSnapshot(consistent_index_, conf_state_, EncodeState());
  CHECK(snap.has_value());
  last_snapshot_index_ = consistent_index_;
  if (consistent_index_ > config_.snapshot_catchup_entries) {
    const uint64_t compact = consistent_index_ - config_.snapshot_catchup_entries;
    if (compact > storage_.FirstIndex()) CHECK(storage_.Compact(compact).has_value());
  }
  snapshot_to_save_ = std::move(*snap);
}

std::optional<raft::Snapshot> Server::TakeSnapshotToSave() {
  return std::exchange(snapshot_to_save_, std::nullopt);
}

std::vector<serverpb::ClientResponse> Server::TakeResponses() {
  return std::exchange(responses_, {});
}

watch::CreateResult Server::Watch(const etcdserverpb::WatchCreateRequest& req) {
  watch::CreateResult r = watchable_.Create(req);
  watchable_.SyncWatchers();
  return r;
}

std::map<int64_t, std::vector<etcdserverpb::WatchResponse>> Server::DrainWatches() {
  return watchable_.DrainAll();
}

uint32_t Server::KvHash() const { return mvcc::HashKv(*kv_, kv_->current_revision()).hash; }

}  // namespace raftlab::server
