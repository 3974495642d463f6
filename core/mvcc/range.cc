// KvStore::Range and the range execution shared with Txn (S3).
#include <algorithm>
#include <vector>

#include "core/base/check.h"
#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {

using etcdserverpb::RangeRequest;
using etcdserverpb::RangeResponse;

namespace {

// Orders two KeyValues by the sort target; equal targets compare equal, so a
// stable sort keeps them in ascending key order (etcd's sort is unstable; we
// pin ties so replicas and the model agree).
bool TargetLess(RangeRequest::SortTarget target, const mvccpb::KeyValue& a,
                const mvccpb::KeyValue& b) {
  switch (target) {
    case RangeRequest::KEY: return a.key() < b.key();
    case RangeRequest::VERSION: return a.version() < b.version();
    case RangeRequest::CREATE: return a.create_revision() < b.create_revision();
    case RangeRequest::MOD: return a.mod_revision() < b.mod_revision();
    case RangeRequest::VALUE: return a.value() < b.value();
    default: break;
  }
  UNREACHABLE();
}

bool PassesFilters(const RangeRequest& req, const mvccpb::KeyValue& kv) {
  if (req.min_mod_revision() > 0 && kv.mod_revision() < req.min_mod_revision()) return false;
  if (req.max_mod_revision() > 0 && kv.mod_revision() > req.max_mod_revision()) return false;
  if (req.min_create_revision() > 0 && kv.create_revision() < req.min_create_revision()) {
    return false;
  }
  if (req.max_create_revision() > 0 && kv.create_revision() > req.max_create_revision()) {
    return false;
  }
  return true;
}

void SortKvs(const RangeRequest& req, std::vector<const mvccpb::KeyValue*>* kvs) {
  RangeRequest::SortOrder order = req.sort_order();
  const RangeRequest::SortTarget target = req.sort_target();
  // As etcd: a non-key target without an order sorts ascending.
  if (order == RangeRequest::NONE && target != RangeRequest::KEY) order = RangeRequest::ASCEND;
  // etcd sorts only for the orders it knows; an unknown one (proto3 enums
  // are open) leaves key order. An unknown target, on which etcd 3.4 panics
  // (a nil sorter), leaves key order too.
  if (order != RangeRequest::ASCEND && order != RangeRequest::DESCEND) return;
  if (!RangeRequest::SortTarget_IsValid(target)) return;
  if (target == RangeRequest::KEY) {
    if (order == RangeRequest::DESCEND) std::reverse(kvs->begin(), kvs->end());
    return;
  }
  const bool descend = order == RangeRequest::DESCEND;
  std::stable_sort(kvs->begin(), kvs->end(),
                   [&](const mvccpb::KeyValue* a, const mvccpb::KeyValue* b) {
                     return descend ? TargetLess(target, *b, *a) : TargetLess(target, *a, *b);
                   });
}

}  // namespace

KvStatus KvStore::CheckRangeRevision(int64_t revision) const {
  if (revision <= 0) return KvStatus::kOk;
  if (revision > current_revision_) return KvStatus::kFutureRev;  // S3.3: checked first
  if (revision < compact_revision_) return KvStatus::kCompacted;
  return KvStatus::kOk;
}

RangeResponse KvStore::ExecuteRange(const RangeRequest& req, int64_t read_revision) const {
  CHECK_GE(read_revision, 1);
  CHECK_GE(read_revision, compact_revision_);
  std::vector<const mvccpb::KeyValue*> kvs;
  int64_t count = 0;
  index_.Range(KeyRange::FromRequest(req.key(), req.range_end()), read_revision,
               [&](const std::string&, Revision rev) {
                 ++count;  // S3.5: count ignores limit and filters
                 const Record& record = records_.at(rev);
                 CHECK(!record.tombstone);
                 if (PassesFilters(req, record.kv)) kvs.push_back(&record.kv);
               });
  RangeResponse resp;
  resp.set_count(count);
  if (req.count_only()) return resp;
  SortKvs(req, &kvs);  // S3.7: sort and filters before limit
  if (req.limit() > 0 && static_cast<int64_t>(kvs.size()) > req.limit()) {
    kvs.resize(static_cast<size_t>(req.limit()));
    resp.set_more(true);
  }
  for (const mvccpb::KeyValue* kv : kvs) {
    mvccpb::KeyValue* added = resp.add_kvs();
    *added = *kv;
    if (req.keys_only()) added->clear_value();
  }
  CHECK_LE(resp.kvs_size(), count);
  return resp;
}

Outcome<RangeResponse> KvStore::Range(const RangeRequest& req) const {
  Outcome<RangeResponse> out;
  out.status = ValidateRange(req);
  if (out.ok()) out.status = CheckRangeRevision(req.revision());
  if (!out.ok()) return out;
  const int64_t read_revision = req.revision() > 0 ? req.revision() : current_revision_;
  out.response = ExecuteRange(req, read_revision);
  out.response.mutable_header()->set_revision(current_revision_);  // S3.8
  return out;
}

}  // namespace raftlab::mvcc
