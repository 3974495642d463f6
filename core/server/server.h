// Server: the replicated etcd-style KV server of one member, over the Raft
// core. Pure: time arrives as integer milliseconds, bytes leave through the
// Ready the host persists and sends; no files, sockets, clocks or threads.
//
// Contract:
// - Writes (put, delete, txn, compaction, lease grant/revoke, alarm) are
//   proposed as InternalRequest entries with a cluster-unique id, applied by
//   every member in log order, exactly once: an id seen before (a duplicated
//   forward) is not applied again. The applied index (consistent index) is
//   part of the same ServerState as the data, so they never disagree.
// - Every submitted request ends in exactly one ClientResponse: OK, ERROR
//   (definite: no effect, e.g. "not leader", a rejected request) or UNKNOWN
//   (it may or may not take effect: proposed but not seen applied before
//   its deadline). Nothing is silently dropped.
// - Linearizable reads wait for a ReadIndex confirmation and for the apply
//   index to reach it; serializable reads answer from local state at once.
//   With config.batch_reads, reads submitted between two GetReady calls
//   share one ReadIndex round, as etcd's linearizableReadLoop batches them.
//   Safe: a write acknowledged before a read joined the round was applied,
//   so committed, before the round's request left this member (it leaves
//   in the next Ready), so its index is at most the round's read index.
// - Lease keepalive and time-to-live are leader-local and, like
//   linearizable reads, first confirm leadership with a ReadIndex round, so
//   a deposed leader cannot renew leases. Only the leader detects expiry
//   (on its own clock) and proposes revokes; a new leader renews every lease
//   once it has applied all entries from earlier terms.
// - When the store grows beyond the quota the leader raises the NOSPACE
//   alarm through Raft; then puts, txns with puts and lease grants are
//   refused, reads and deletes still work, until the alarm is disarmed.
//
// The host loop: Tick/Step/Submit; while HasReady(): rd = GetReady();
// persist rd (WAL: SaveSnapshotInstalled, entries, hard state; fsync);
// send rd.messages; Advance(rd, now). Snapshots the server takes locally
// come out of TakeSnapshotToSave() for the host to write.
//
// A host may apply asynchronously, as etcd's server does: Advance(rd, now,
// kDeferred) persists and acknowledges the Ready but keeps its committed
// entries queued until ApplyDeferred(now). Raft then counts them unapplied
// (see RawNode::AdvanceUnapplied). A Ready with a snapshot, or one advanced
// with kNow, first applies everything still queued, so entries always apply
// in log order.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/lease/lessor.h"
#include "core/mvcc/kv_store.h"
#include "core/raft/memory_storage.h"
#include "core/raft/raw_node.h"
#include "core/server/server_config.h"
#include "core/storage/recovery.h"
#include "core/watch/watchable_store.h"
#include "server.pb.h"

namespace raftlab::server {

// True for requests that add data (refused while the NOSPACE alarm is raised).
bool WritesData(const serverpb::InternalRequest& r);
// Whether `id` is in the configuration in any role (members.cc).
bool IsMember(const raft::ConfState& cs, raft::NodeId id);

class Server {
 public:
  // Starts from `recovered` (the durable state). With no snapshot in it, a
  // new member bootstraps from `initial` (an index-1 configuration); the
  // bootstrap snapshot then comes out of TakeSnapshotToSave().
  Server(const ServerConfig& config, Prng* prng, const storage::Recovered& recovered,
         const raft::ConfState& initial, int64_t now_ms);

  // --- inputs ------------------------------------------------------------
  void Tick(int64_t now_ms);
  void Step(const raft::Message& m);
  // Whether Step(m) is safe for a message from an untrusted peer, in the
  // node's present state (layer 2 of core/raft/raft.h's peer-input rule;
  // a host checks layer 1 at its boundary first).
  Status CheckPeerMessage(const raft::Message& m) const {
    return raw_->raft().CheckPeerMessage(m);
  }
  void Submit(const serverpb::ClientRequest& req, int64_t now_ms);
  raft::StepResult ProposeConfChange(const raft::ConfChangeV2& cc);
  void TransferLeader(raft::NodeId to) { raw_->TransferLeader(to); }
  void ReportUnreachable(raft::NodeId id) { raw_->ReportUnreachable(id); }
  void ReportSnapshot(raft::NodeId id, bool failed) { raw_->ReportSnapshot(id, failed); }

  // --- the Ready loop ----------------------------------------------------
  bool HasReady() const { return raw_->HasReady(); }
  raft::Ready GetReady() {
    open_read_round_ = 0;  // its ReadIndex request leaves in this Ready
    return raw_->GetReady();
  }
  enum class Apply { kNow, kDeferred };
  // REQUIRES: `rd` came from GetReady() and the host persisted it.
  void Advance(const raft::Ready& rd, int64_t now_ms, Apply apply = Apply::kNow);
  // Applies every committed entry queued by Advance(..., kDeferred).
  void ApplyDeferred(int64_t now_ms);
  // Queued batches, oldest first.
  const std::deque<std::vector<raft::Entry>>& deferred() const { return deferred_; }
  std::optional<raft::Snapshot> TakeSnapshotToSave();

  // --- outputs -----------------------------------------------------------
  std::vector<serverpb::ClientResponse> TakeResponses();
  watch::CreateResult Watch(const etcdserverpb::WatchCreateRequest& req);
  watch::WatchStatus CancelWatch(int64_t watch_id) { return watchable_.Cancel(watch_id); }
  std::map<int64_t, std::vector<etcdserverpb::WatchResponse>> DrainWatches();
  // A bookmark (progress response) to every synced watcher (WatchProgressRequest).
  void RequestWatchProgress() { watchable_.RequestProgress(); }

  // --- inspection --------------------------------------------------------
  raft::NodeId id() const { return config_.id; }
  const raft::RawNode& raw_node() const { return *raw_; }
  // The durable state as far as the server knows it (what the host persisted).
  const raft::MemoryStorage& storage() const { return storage_; }
  const mvcc::KvStore& kv() const { return *kv_; }
  const lease::Lessor& lessor() const { return *lessor_; }
  uint64_t consistent_index() const { return consistent_index_; }
  // Committed entries consumed without effect because they could not be
  // applied (apply.cc, RefuseEntry). Always 0 unless a peer or the disk
  // handed this member bytes no correct member writes.
  uint64_t refused_entries() const { return refused_entries_; }
  bool nospace() const { return nospace_; }
  // Key and value bytes ever written (the store never shrinks, like a
  // backend before defragmentation): what the quota and Status report
  // without a backend; with one, its Size() and SizeInUse().
  int64_t db_bytes() const { return db_bytes_; }
  size_t pending_requests() const { return pending_writes_.size() + pending_reads_.size(); }
  // The KV hash at the current revision (etcd's HashKV), to compare replicas.
  uint32_t KvHash() const;
  // The members, by id, with the names and URLs known for them (etcd's
  // MemberList; members.cc).
  std::vector<etcdserverpb::Member> Members() const;
  const raft::ConfState& conf_state() const { return conf_state_; }
  // A response header: cluster and member ids, `revision`, the Raft term.
  etcdserverpb::ResponseHeader Header(int64_t revision) const;
  std::string EncodeState() const;  // the ServerState bytes of a snapshot
  // --- the backend (config.backend; backend_state.cc) -------------------
  // With a backend the MVCC store writes through to it, and the rest of the
  // state (consistent index and its term, leases, alarm, members, recent
  // request ids) is written to its meta bucket by WriteBackendMeta, which
  // the host calls right before each batch commit, so a commit always
  // holds the consistent index of exactly the data in it. A restart then
  // loads the state from the backend and Raft hands out only the entries
  // after its consistent index (etcd's recovery).
  backend::Backend* backend() const { return config_.backend; }
  void WriteBackendMeta();
  // Whether `b` holds a state this member can start from, given what the
  // WAL recovered: its meta parses, its consistent index lies within the
  // recovered log and its commit index, and its key bucket loads.
  static Status CheckBackend(backend::Backend* b, const storage::Recovered& recovered,
                             BugSet bugs);
  // The consistent index committed in `b`'s meta bucket, if any.
  static std::optional<uint64_t> BackendConsistentIndex(const backend::Backend& b);

  // Whether a snapshot's data is ServerState a server could restore, of
  // the snapshot's own index and naming only members of its configuration.
  // A host checks a snapshot that arrives from a peer with this before the
  // core sees it: the core itself stops (CHECK) on state it cannot restore.
  static Status ValidateSnapshot(const raft::Snapshot& snapshot);

 private:
  struct PendingWrite {
    uint64_t client_id = 0;
    int64_t deadline_ms = 0;
  };
  struct PendingRead {
    serverpb::ClientRequest request;
    int64_t deadline_ms = 0;
    uint64_t round = 0;       // the context of the ReadIndex round it joined
    uint64_t read_index = 0;  // 0 until the round's ReadState arrived
  };

  // server.cc
  void RestoreState(const std::string& bytes);
  void RestoreFrom(const serverpb::ServerState& st, mvcc::KvStore kv);
  serverpb::ServerState StateWithoutMvcc() const;
  // backend_state.cc
  void UseBackend();      // at construction: load from it, or fill it
  void RewriteBackend();  // everything, replacing what it held
  void OnSoftState(const raft::SoftState& ss);
  void MaybeSnapshot();
  void ExpireRequests(int64_t now_ms);
  void ExpireLeases(int64_t now_ms);
  static bool AddsMember(const raft::ConfState& before, const raft::ConfState& after);
  // Raft's role now, not the one of the last Ready handled: a leader whose
  // Ready loop is stuck behind a slow fsync may already be deposed, and a
  // proposal it makes then is forwarded to the new leader (etcd #15247;
  // scenarios/lease-slow-leader.yaml).
  bool LeaderNow() const { return raw_->raft().state() == raft::StateRole::kLeader; }
  void CheckQuota();
  // apply.cc
  void ApplyEntry(const raft::Entry& e, int64_t now_ms);
  // A committed entry that cannot be applied (bytes that do not decode, a
  // conf change the configuration refuses): a CHECK failure, or with
  // config_.refuse_bad_entries consumed as a no-op and counted.
  void RefuseEntry(const raft::Entry& e, const std::string& why);
  void ApplyQueued(int64_t now_ms);  // deferred_ only, in order
  // What follows applying: reads, watchers, snapshots, lease promotion, quota.
  void AfterApply(int64_t now_ms);
  void ApplySnapshot(const raft::Snapshot& s);
  void ApplyRequest(const serverpb::InternalRequest& r, int64_t now_ms,
                    serverpb::ClientResponse* resp);
  bool SeenBefore(uint64_t internal_id);
  void ApplyLeaseGrant(const etcdserverpb::LeaseGrantRequest& req, int64_t now_ms,
                       serverpb::ClientResponse* resp);
  void ApplyLeaseRevoke(const etcdserverpb::LeaseRevokeRequest& req,
                        serverpb::ClientResponse* resp);
  bool SetKvResult(mvcc::KvStatus status, serverpb::ClientResponse* resp) const;
  // members.cc
  void SubmitMemberChange(const serverpb::ClientRequest& req, int64_t now_ms);
  void ApplyMemberChange(const raft::ConfChangeV2& cc, const raft::ConfState& before);
  void ApplyMemberAttributes(const serverpb::MemberInfo& attributes);
  void MaybePublish(int64_t now_ms);
  // requests.cc
  void SubmitWrite(const serverpb::ClientRequest& req, int64_t now_ms);
  void SubmitRead(const serverpb::ClientRequest& req, int64_t now_ms);
  void ServeReads(int64_t now_ms);
  void ServeRead(const serverpb::ClientRequest& req, int64_t now_ms);
  void Respond(serverpb::ClientResponse resp);
  void RespondError(uint64_t client_id, const std::string& error);
  // member (16 bits) | incarnation (16 bits) | sequence (32 bits).
  uint64_t NextInternalId() {
    return (config_.id << 48) | ((config_.incarnation & 0xFFFF) << 32) | (++sequence_ & 0xFFFFFFFF);
  }
  ServerConfig config_;
  raft::MemoryStorage storage_;  // mirror of the durable log the host keeps
  std::unique_ptr<raft::RawNode> raw_;
  std::unique_ptr<lease::Lessor> lessor_;
  std::unique_ptr<mvcc::KvStore> kv_;
  watch::WatchableStore watchable_;
  raft::ConfState conf_state_;
  // Invariant: the index of the last entry reflected in kv_/lessor_.
  uint64_t consistent_index_ = 0;
  uint64_t applied_term_ = 0;  // the term of the entry at consistent_index_
  uint64_t refused_entries_ = 0;
  bool nospace_ = false;
  // Recently applied request ids per proposing member (bounded; the oldest
  // incarnation's go first), part of
  // the replicated state so every member skips the same duplicates.
  std::map<uint64_t, std::set<uint64_t>> applied_ids_;
  uint64_t sequence_ = 0;
  std::map<uint64_t, PendingWrite> pending_writes_;  // by internal id
  std::map<uint64_t, PendingRead> pending_reads_;    // by internal id
  // The ReadIndex round later reads join (0: none since the last GetReady).
  uint64_t open_read_round_ = 0;
  std::vector<serverpb::ClientResponse> responses_;
  std::optional<raft::Snapshot> snapshot_to_save_;
  uint64_t last_snapshot_index_ = 0;
  bool snapshot_now_ = false;
  int64_t last_progress_ms_ = 0;  // when watches last got progress notifications  // a member was added: snapshot before the next is due
  raft::SoftState soft_state_;
  uint64_t promote_at_index_ = 0;  // leader: renew leases once applied reaches it
  std::deque<std::vector<raft::Entry>> deferred_;  // committed, not yet applied
  bool nospace_proposed_ = false;
  int64_t db_bytes_ = 0;  // payload bytes written (the backend does not shrink)
  std::map<int64_t, int64_t> revoke_proposed_at_;  // lease -> when we last proposed its revoke
  // Names and URLs of members, by id; replicated (ServerState.members).
  // Invariant: every id is in conf_state_.
  std::map<raft::NodeId, serverpb::MemberInfo> members_;
  int64_t last_publish_ms_ = -1'000'000'000;  // when MaybePublish last proposed
};

}  // namespace raftlab::server
