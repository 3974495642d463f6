#include "core/mvcc/txn.h"

#include <set>
#include <string>
#include <vector>

#include "core/base/check.h"

namespace raftlab::mvcc {

using etcdserverpb::Compare;
using etcdserverpb::RequestOp;
using etcdserverpb::ResponseOp;
using etcdserverpb::TxnRequest;
using etcdserverpb::TxnResponse;
using Ops = google::protobuf::RepeatedPtrField<RequestOp>;

namespace {

template <class T>
int CompareValues(const T& a, const T& b) {
  if (a < b) return -1;
  return b < a ? 1 : 0;
}

bool CompareKv(const Compare& cmp, const mvccpb::KeyValue& kv) {
  int order = 0;
  // A union member of another target reads as zero / empty, as in etcd.
  switch (cmp.target()) {
    case Compare::VERSION:
      order = CompareValues(kv.version(), cmp.has_version() ? cmp.version() : int64_t{0});
      break;
    case Compare::CREATE:
      order = CompareValues(kv.create_revision(),
                            cmp.has_create_revision() ? cmp.create_revision() : int64_t{0});
      break;
    case Compare::MOD:
      order = CompareValues(kv.mod_revision(),
                            cmp.has_mod_revision() ? cmp.mod_revision() : int64_t{0});
      break;
    case Compare::VALUE:
      order = CompareValues(kv.value(), cmp.has_value() ? cmp.value() : std::string());
      break;
    case Compare::LEASE:
      order = CompareValues(kv.lease(), cmp.has_lease() ? cmp.lease() : int64_t{0});
      break;
    default:
      // A target this version does not know (proto3 enums are open, and a
      // client may send any number): etcd compares nothing, as if equal.
      order = 0;
      break;
  }
  switch (cmp.result()) {
    case Compare::EQUAL: return order == 0;
    case Compare::NOT_EQUAL: return order != 0;
    case Compare::GREATER: return order > 0;
    case Compare::LESS: return order < 0;
    default: break;
  }
  return true;  // an unknown result: etcd's compareKV holds
}

// etcd's checkIntervals: the puts and delete ranges of a branch, nested txns
// included; a key put twice, or put and deleted, is a duplicate. The two
// branches of a nested txn are exclusive, so they may share put keys.
KvStatus CheckIntervals(const Ops& ops, std::set<std::string>* puts,
                        std::vector<KeyRange>* dels) {
  CHECK(puts->empty());
  CHECK(dels->empty());
  auto deleted = [&](const std::string& key) {
    for (const KeyRange& r : *dels) {
      if (r.Contains(key)) return true;
    }
    return false;
  };
  for (const RequestOp& op : ops) {
    if (op.has_request_delete_range()) {
      const auto& d = op.request_delete_range();
      dels->push_back(KeyRange::FromRequest(d.key(), d.range_end()));
    }
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_txn()) continue;
    std::set<std::string> puts_then, puts_else;
    std::vector<KeyRange> dels_then, dels_else;
    KvStatus s = CheckIntervals(op.request_txn().success(), &puts_then, &dels_then);
    if (s == KvStatus::kOk) s = CheckIntervals(op.request_txn().failure(), &puts_else, &dels_else);
    if (s != KvStatus::kOk) return s;
    for (const std::string& key : puts_then) {
      if (puts->contains(key) || deleted(key)) return KvStatus::kDuplicateKey;
      puts->insert(key);
    }
    for (const std::string& key : puts_else) {
      if (puts->contains(key) && !puts_then.contains(key)) return KvStatus::kDuplicateKey;
      if (deleted(key)) return KvStatus::kDuplicateKey;
      puts->insert(key);
    }
    dels->insert(dels->end(), dels_then.begin(), dels_then.end());
    dels->insert(dels->end(), dels_else.begin(), dels_else.end());
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_put()) continue;
    const std::string& key = op.request_put().key();
    if (puts->contains(key) || deleted(key)) return KvStatus::kDuplicateKey;
    puts->insert(key);
  }
  return KvStatus::kOk;
}

KvStatus ValidateOps(const Ops& ops);

KvStatus ValidateTxnShape(const TxnRequest& req) {
  if (req.compare_size() > kMaxTxnOps) return KvStatus::kTooManyOps;
  if (req.success_size() > kMaxTxnOps) return KvStatus::kTooManyOps;
  if (req.failure_size() > kMaxTxnOps) return KvStatus::kTooManyOps;
  for (const Compare& cmp : req.compare()) {
    if (cmp.key().empty()) return KvStatus::kEmptyKey;
  }
  KvStatus s = ValidateOps(req.success());
  if (s == KvStatus::kOk) s = ValidateOps(req.failure());
  return s;
}

KvStatus ValidateOps(const Ops& ops) {
  for (const RequestOp& op : ops) {
    KvStatus s = KvStatus::kOk;
    if (op.has_request_range()) s = ValidateRange(op.request_range());
    if (op.has_request_put()) s = ValidatePut(op.request_put());
    if (op.has_request_delete_range()) s = ValidateDeleteRange(op.request_delete_range());
    if (op.has_request_txn()) s = ValidateTxnShape(op.request_txn());
    if (s != KvStatus::kOk) return s;
  }
  return KvStatus::kOk;
}

}  // namespace

bool EvaluateCompare(const KvStore& store, const Compare& cmp, int64_t at) {
  CHECK(!cmp.key().empty());
  CHECK_LE(at, store.current_revision());
  std::vector<const mvccpb::KeyValue*> kvs;
  store.index().Range(KeyRange::FromRequest(cmp.key(), cmp.range_end()), at,
                      [&](const std::string&, Revision rev) {
                        kvs.push_back(&store.records().at(rev).kv);
                      });
  if (kvs.empty()) {
    // S5.2: a missing key compares as all zeros, except that VALUE is false.
    if (cmp.target() == Compare::VALUE) return false;
    return CompareKv(cmp, mvccpb::KeyValue());
  }
  for (const mvccpb::KeyValue* kv : kvs) {
    if (!CompareKv(cmp, *kv)) return false;
  }
  return true;
}

KvStatus ValidateTxn(const TxnRequest& req) {
  KvStatus s = ValidateTxnShape(req);
  if (s != KvStatus::kOk) return s;
  std::set<std::string> puts;
  std::vector<KeyRange> dels;
  s = CheckIntervals(req.success(), &puts, &dels);
  if (s != KvStatus::kOk) return s;
  puts.clear();
  dels.clear();
  return CheckIntervals(req.failure(), &puts, &dels);
}

}  // namespace raftlab::mvcc
