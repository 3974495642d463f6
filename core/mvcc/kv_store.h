// KvStore: the etcd v3 multi-version key-value store (SEMANTICS.md S1-S6).
//
// Contract:
// - Pure and deterministic: the same request sequence gives the same
//   revisions, responses and bytes on every replica.
// - R (current_revision) starts at 1, C (compact_revision) at -1 (S1.1).
//   Each request that changes at least one key advances R by exactly 1 and
//   numbers its changes sub = 0, 1, ... in execution order (S1.2, S1.3).
// - Every change is kept as a record (main, sub) -> KeyValue until compaction
//   drops it; TreeIndex maps keys to their revisions.
// - Expected outcomes (FutureRev, Compacted, LeaseNotFound, ...) are KvStatus
//   values; a failed request changes nothing.
// - Response headers carry only `revision`; the server fills in cluster,
//   member and term.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend.h"
#include "core/base/bugs.h"
#include "core/base/result.h"
#include "core/mvcc/key_range.h"
#include "core/mvcc/lease_binder.h"
#include "core/mvcc/revision.h"
#include "core/mvcc/status.h"
#include "core/mvcc/tree_index.h"
#include "kv.pb.h"
#include "rpc.pb.h"

namespace raftlab::mvcc {

// etcd's default --max-txn-ops.
inline constexpr int kMaxTxnOps = 128;

// One change: a put (full KeyValue) or a tombstone ({key, mod_revision}).
struct Record {
  bool tombstone = false;
  mvccpb::KeyValue kv;
};

class KvStore {
 public:
  // `leases` may be null: then every non-zero lease is unknown. When given,
  // it must outlive the store.
  explicit KvStore(LeaseBinder* leases = nullptr) : leases_(leases) {}

  void set_lease_binder(LeaseBinder* leases) { leases_ = leases; }
  // Planted bugs (the bug zoo); empty in every correct run.
  void set_bugs(BugSet bugs) { bugs_ = bugs; }

  int64_t current_revision() const { return current_revision_; }
  int64_t compact_revision() const { return compact_revision_; }

  // --- etcd requests ---------------------------------------------------
  Outcome<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& req) const;
  Outcome<etcdserverpb::PutResponse> Put(const etcdserverpb::PutRequest& req);
  Outcome<etcdserverpb::DeleteRangeResponse> DeleteRange(
      const etcdserverpb::DeleteRangeRequest& req);
  Outcome<etcdserverpb::TxnResponse> Txn(const etcdserverpb::TxnRequest& req);
  Outcome<etcdserverpb::CompactionResponse> Compact(const etcdserverpb::CompactionRequest& req);

  // The changes of the last write request, as watch events in (main, sub)
  // order (DELETE events carry {key, mod_revision} only; no prev_kv). Clears
  // them.
  std::vector<mvccpb::Event> TakeChanges();

  // --- read primitives (watch, hash, snapshot, tests) ------------------
  // The KeyValue of `key` visible at revision `at`, or null. The pointer is
  // valid until the next write or compaction.
  const mvccpb::KeyValue* Get(std::string_view key, int64_t at) const;
  const std::map<Revision, Record>& records() const { return records_; }
  const TreeIndex& index() const { return index_; }

  // Checks every structural invariant (index <-> records agreement,
  // generation shape, revision bounds); a CHECK failure on violation.
  // O(size of the store): for tests and the simulator's expensive checks.
  void CheckInvariants() const;

  // --- the backend (core/backend; backend_store.cc) --------------------
  // Keeps the backend's key bucket equal to records(), in etcd's layout:
  // each record under its RevisionKey (a 't' marks a tombstone) with its
  // KeyValue as the value, records compaction drops deleted, and the
  // compact revision in the meta bucket (etcd's scheduledCompactRev and
  // finishedCompactRev). Writes go into the backend's batch; the host
  // commits it. Records already in the store are written at once. Null
  // (the default): no backend. `b` must outlive the store.
  void set_backend(backend::Backend* b);
  // A store rebuilt from a backend's committed and batched data, as etcd
  // restores, and writing to it from then on: the index from a scan of the
  // key bucket, R from the newest revision there but never below C (the
  // meta bucket's finished compact revision). Damaged contents are
  // kCorruption errors naming what is wrong. `b` must outlive the store.
  static Result<KvStore> Load(backend::Backend* b, BugSet bugs = {});

  // Rebuilds a store from records (snapshot restore). Returns false if the
  // records do not form a valid history (out of order, above `current`, a
  // put into a live key with create_revision mismatch, ...).
  bool Restore(int64_t current, int64_t compact, std::map<Revision, Record> records,
               std::string* why);

 private:
  // The revision being written by one request.
  struct WriteContext {
    int64_t main = 0;      // R + 1
    int64_t next_sub = 0;  // changes made so far
  };

  friend class TxnExecutor;

  // Reads inside a write see the write's own changes once it made one.
  int64_t ReadRevision(const WriteContext& ctx) const {
    return ctx.next_sub > 0 ? ctx.main : current_revision_;
  }
  WriteContext BeginWrite();
  // Commits the revision if anything was written; returns the header revision.
  int64_t EndWrite(const WriteContext& ctx);

  KvStatus CheckPutState(const etcdserverpb::PutRequest& req) const;
  KvStatus CheckRangeRevision(int64_t revision) const;
  etcdserverpb::RangeResponse ExecuteRange(const etcdserverpb::RangeRequest& req,
                                           int64_t read_revision) const;
  etcdserverpb::PutResponse ExecutePut(WriteContext* ctx, const etcdserverpb::PutRequest& req);
  etcdserverpb::DeleteRangeResponse ExecuteDeleteRange(
      WriteContext* ctx, const etcdserverpb::DeleteRangeRequest& req);
  void PutKey(WriteContext* ctx, const std::string& key, const std::string& value,
              int64_t lease);
  void DeleteKey(WriteContext* ctx, const std::string& key);

  // backend_store.cc: a change written to the backend, if there is one.
  void Persist(Revision rev, const Record& record);
  void Unpersist(Revision rev, const Record& record);
  void PersistCompact(int64_t c);

  LeaseBinder* leases_ = nullptr;  // not owned; may be null
  backend::Backend* backend_ = nullptr;  // not owned; may be null
  int64_t current_revision_ = 1;   // Invariant: >= 1, every record's main <= it.
  int64_t compact_revision_ = -1;  // Invariant: < 0 or <= current_revision_.
  TreeIndex index_;
  // Invariant: records_ holds exactly the revisions TreeIndex references.
  std::map<Revision, Record> records_;
  std::vector<mvccpb::Event> changes_;  // of the last write request
  BugSet bugs_;
};

// Static checks on a request that need no state (empty keys, provided
// values/leases, op limits, duplicate keys). Exposed for the server, which
// rejects such requests before proposing them.
KvStatus ValidatePut(const etcdserverpb::PutRequest& req);
KvStatus ValidateRange(const etcdserverpb::RangeRequest& req);
KvStatus ValidateDeleteRange(const etcdserverpb::DeleteRangeRequest& req);
KvStatus ValidateTxn(const etcdserverpb::TxnRequest& req);

}  // namespace raftlab::mvcc
