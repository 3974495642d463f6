// KvStore::Txn: guard evaluation along the path, state checks, execution.
#include <vector>

#include "core/base/check.h"
#include "core/mvcc/kv_store.h"
#include "core/mvcc/txn.h"

namespace raftlab::mvcc {

using etcdserverpb::RequestOp;
using etcdserverpb::ResponseOp;
using etcdserverpb::TxnRequest;
using etcdserverpb::TxnResponse;

namespace {

void SetOpHeader(ResponseOp* op, int64_t revision) {
  if (op->has_response_range()) op->mutable_response_range()->mutable_header()->set_revision(revision);
  if (op->has_response_put()) op->mutable_response_put()->mutable_header()->set_revision(revision);
  if (op->has_response_delete_range()) {
    op->mutable_response_delete_range()->mutable_header()->set_revision(revision);
  }
}

}  // namespace

class TxnExecutor {
 public:
  explicit TxnExecutor(KvStore* store) : store_(*store) {}

  // The guard results of the executed txns in depth-first order, all against
  // the state before the txn (etcd's compareToPath).
  void ComputePath(const TxnRequest& req, std::vector<bool>* path) const {
    bool succeeded = true;
    for (const etcdserverpb::Compare& cmp : req.compare()) {
      if (!EvaluateCompare(store_, cmp, store_.current_revision_)) {
        succeeded = false;
        break;
      }
    }
    path->push_back(succeeded);
    CHECK_LE(req.compare_size(), kMaxTxnOps);  // ValidateTxn ran first
    for (const RequestOp& op : succeeded ? req.success() : req.failure()) {
      if (op.has_request_txn()) ComputePath(op.request_txn(), path);
    }
  }

  KvStatus CheckPath(const TxnRequest& req, const std::vector<bool>& path, size_t* pos) const {
    CHECK_LT(*pos, path.size());
    const bool succeeded = path[(*pos)++];
    for (const RequestOp& op : succeeded ? req.success() : req.failure()) {
      KvStatus s = KvStatus::kOk;
      if (op.has_request_put()) s = store_.CheckPutState(op.request_put());
      if (op.has_request_range()) s = store_.CheckRangeRevision(op.request_range().revision());
      if (op.has_request_txn()) s = CheckPath(op.request_txn(), path, pos);
      if (s != KvStatus::kOk) return s;
    }
    return KvStatus::kOk;
  }

  TxnResponse Execute(KvStore::WriteContext* ctx, const TxnRequest& req,
                      const std::vector<bool>& path, size_t* pos) {
    CHECK_LT(*pos, path.size());
    TxnResponse resp;
    resp.set_succeeded(path[(*pos)++]);
    for (const RequestOp& op : resp.succeeded() ? req.success() : req.failure()) {
      ResponseOp* out = resp.add_responses();
      if (op.has_request_range()) {
        const auto& range = op.request_range();
        const int64_t at = range.revision() > 0 ? range.revision() : store_.ReadRevision(*ctx);
        *out->mutable_response_range() = store_.ExecuteRange(range, at);
      } else if (op.has_request_put()) {
        *out->mutable_response_put() = store_.ExecutePut(ctx, op.request_put());
      } else if (op.has_request_delete_range()) {
        *out->mutable_response_delete_range() =
            store_.ExecuteDeleteRange(ctx, op.request_delete_range());
      } else if (op.has_request_txn()) {
        *out->mutable_response_txn() = Execute(ctx, op.request_txn(), path, pos);
        // etcd leaves a nested txn's header empty (present, revision 0).
        out->mutable_response_txn()->mutable_header()->Clear();
      }
      // Each op's header has the revision as of that op, as etcd's write txn
      // reports it: the old R until the txn has changed something, the new
      // one after (so a range before the txn's first write shows the old R).
      SetOpHeader(out, store_.ReadRevision(*ctx));
      // An empty RequestOp yields an empty ResponseOp, as in etcd.
    }
    const auto& branch = resp.succeeded() ? req.success() : req.failure();
    CHECK_EQ(resp.responses_size(), branch.size());
    return resp;
  }

 private:
  KvStore& store_;
};


Outcome<TxnResponse> KvStore::Txn(const TxnRequest& req) {
  Outcome<TxnResponse> out;
  out.status = ValidateTxn(req);
  if (!out.ok()) return out;
  TxnExecutor executor(this);
  std::vector<bool> path;
  executor.ComputePath(req, &path);
  size_t pos = 0;
  out.status = executor.CheckPath(req, path, &pos);  // S5.5: reject before executing
  if (!out.ok()) return out;
  CHECK_EQ(pos, path.size());
  const int64_t before = current_revision_;
  WriteContext ctx = BeginWrite();
  pos = 0;
  out.response = executor.Execute(&ctx, req, path, &pos);
  CHECK_EQ(pos, path.size());
  const int64_t revision = EndWrite(ctx);  // S5.4, S5.6: one revision, or none
  CHECK_EQ(revision, before + (ctx.next_sub > 0 ? 1 : 0));
  out.response.mutable_header()->set_revision(revision);
  return out;
}

}  // namespace raftlab::mvcc
