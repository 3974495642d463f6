#include "tests/core/mvcc/model.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace raftlab::mvcc::testing {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;
using etcdserverpb::RequestOp;
using Ops = google::protobuf::RepeatedPtrField<RequestOp>;

namespace {

mvccpb::KeyValue ToKv(const std::string& key, const ModelKv& v) {
  mvccpb::KeyValue kv;
  kv.set_key(key);
  kv.set_value(v.value);
  kv.set_create_revision(v.create);
  kv.set_mod_revision(v.mod);
  kv.set_version(v.version);
  kv.set_lease(v.lease);
  return kv;
}

int64_t TargetOf(const mvccpb::KeyValue& kv, RangeRequest::SortTarget t) {
  if (t == RangeRequest::VERSION) return kv.version();
  if (t == RangeRequest::CREATE) return kv.create_revision();
  return kv.mod_revision();
}

etcdserverpb::RangeResponse RangeOn(const ModelState& st, const RangeRequest& req) {
  std::vector<mvccpb::KeyValue> kvs;
  int64_t count = 0;
  for (const auto& [key, v] : st) {
    if (!Model::InRange(key, req.key(), req.range_end())) continue;
    ++count;
    const mvccpb::KeyValue kv = ToKv(key, v);
    if (req.min_mod_revision() != 0 && kv.mod_revision() < req.min_mod_revision()) continue;
    if (req.max_mod_revision() != 0 && kv.mod_revision() > req.max_mod_revision()) continue;
    if (req.min_create_revision() != 0 && kv.create_revision() < req.min_create_revision()) {
      continue;
    }
    if (req.max_create_revision() != 0 && kv.create_revision() > req.max_create_revision()) {
      continue;
    }
    kvs.push_back(kv);
  }
  etcdserverpb::RangeResponse resp;
  resp.set_count(count);
  if (req.count_only()) return resp;
  const auto target = req.sort_target();
  auto order = req.sort_order();
  if (order == RangeRequest::NONE && target != RangeRequest::KEY) order = RangeRequest::ASCEND;
  if (target == RangeRequest::KEY && order == RangeRequest::DESCEND) {
    std::reverse(kvs.begin(), kvs.end());
  } else if (target == RangeRequest::VALUE) {
    std::stable_sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
      return order == RangeRequest::DESCEND ? b.value() < a.value() : a.value() < b.value();
    });
  } else if (target != RangeRequest::KEY) {
    std::stable_sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
      const int64_t x = TargetOf(a, target);
      const int64_t y = TargetOf(b, target);
      return order == RangeRequest::DESCEND ? y < x : x < y;
    });
  }
  if (req.limit() > 0 && static_cast<int64_t>(kvs.size()) > req.limit()) {
    kvs.resize(static_cast<size_t>(req.limit()));
    resp.set_more(true);
  }
  for (auto& kv : kvs) {
    if (req.keys_only()) kv.clear_value();
    *resp.add_kvs() = kv;
  }
  return resp;
}

bool CompareOne(const Compare& c, const mvccpb::KeyValue& kv) {
  int order = 0;
  auto cmp = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  if (c.target() == Compare::VERSION) order = cmp(kv.version(), c.has_version() ? c.version() : 0);
  if (c.target() == Compare::CREATE) {
    order = cmp(kv.create_revision(), c.has_create_revision() ? c.create_revision() : 0);
  }
  if (c.target() == Compare::MOD) {
    order = cmp(kv.mod_revision(), c.has_mod_revision() ? c.mod_revision() : 0);
  }
  if (c.target() == Compare::VALUE) {
    order = cmp(kv.value(), c.has_value() ? c.value() : std::string());
  }
  if (c.target() == Compare::LEASE) order = cmp(kv.lease(), c.has_lease() ? c.lease() : 0);
  if (c.result() == Compare::EQUAL) return order == 0;
  if (c.result() == Compare::NOT_EQUAL) return order != 0;
  if (c.result() == Compare::GREATER) return order > 0;
  return order < 0;
}

bool Guard(const ModelState& st, const etcdserverpb::TxnRequest& txn) {
  for (const Compare& c : txn.compare()) {
    std::vector<mvccpb::KeyValue> hits;
    for (const auto& [key, v] : st) {
      if (Model::InRange(key, c.key(), c.range_end())) hits.push_back(ToKv(key, v));
    }
    if (hits.empty() && c.target() == Compare::VALUE) return false;
    if (hits.empty()) hits.emplace_back();
    for (const auto& kv : hits) {
      if (!CompareOne(c, kv)) return false;
    }
  }
  return true;
}

KvStatus StaticCheck(const etcdserverpb::TxnRequest& txn) {
  if (txn.compare_size() > 128 || txn.success_size() > 128 || txn.failure_size() > 128) {
    return KvStatus::kTooManyOps;
  }
  for (const Compare& c : txn.compare()) {
    if (c.key().empty()) return KvStatus::kEmptyKey;
  }
  for (const Ops* ops : {&txn.success(), &txn.failure()}) {
    for (const RequestOp& op : *ops) {
      KvStatus s = KvStatus::kOk;
      if (op.has_request_range() && op.request_range().key().empty()) s = KvStatus::kEmptyKey;
      if (op.has_request_delete_range() && op.request_delete_range().key().empty()) {
        s = KvStatus::kEmptyKey;
      }
      if (op.has_request_put()) {
        const auto& p = op.request_put();
        if (p.key().empty())
          s = KvStatus::kEmptyKey;
        else if (p.ignore_value() && !p.value().empty())
          s = KvStatus::kValueProvided;
        else if (p.ignore_lease() && p.lease() != 0)
          s = KvStatus::kLeaseProvided;
      }
      if (op.has_request_txn()) s = StaticCheck(op.request_txn());
      if (s != KvStatus::kOk) return s;
    }
  }
  return KvStatus::kOk;
}

// The put keys and delete ranges of a branch; false on a duplicate (S5.5).
using Dels = std::vector<std::pair<std::string, std::string>>;
bool Writes(const Ops& ops, std::set<std::string>* puts, Dels* dels) {
  auto hit = [&](const std::string& k) {
    return std::any_of(dels->begin(), dels->end(),
                       [&](const auto& d) { return Model::InRange(k, d.first, d.second); });
  };
  for (const RequestOp& op : ops) {
    if (op.has_request_delete_range()) {
      dels->emplace_back(op.request_delete_range().key(), op.request_delete_range().range_end());
    }
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_txn()) continue;
    std::set<std::string> then_puts, else_puts;
    Dels then_dels, else_dels;
    if (!Writes(op.request_txn().success(), &then_puts, &then_dels)) return false;
    if (!Writes(op.request_txn().failure(), &else_puts, &else_dels)) return false;
    for (const auto& k : then_puts) {
      if (puts->count(k) != 0 || hit(k)) return false;
      puts->insert(k);
    }
    for (const auto& k : else_puts) {
      if (puts->count(k) != 0 && then_puts.count(k) == 0) return false;
      if (hit(k)) return false;
      puts->insert(k);
    }
    dels->insert(dels->end(), then_dels.begin(), then_dels.end());
    dels->insert(dels->end(), else_dels.begin(), else_dels.end());
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_put()) continue;
    const std::string& k = op.request_put().key();
    if (puts->count(k) != 0 || hit(k)) return false;
    puts->insert(k);
  }
  return true;
}

}  // namespace

bool Model::InRange(const std::string& key, const std::string& start, const std::string& end) {
  if (end.empty()) return key == start;
  if (end == std::string(1, '\0')) return key >= start;
  return start <= key && key < end;
}

ModelOutcome<etcdserverpb::RangeResponse> Model::Range(const RangeRequest& req) const {
  ModelOutcome<etcdserverpb::RangeResponse> out;
  if (req.key().empty()) {
    out.status = KvStatus::kEmptyKey;
  } else if (req.revision() > revision()) {
    out.status = KvStatus::kFutureRev;
  } else if (req.revision() > 0 && req.revision() < compact_) {
    out.status = KvStatus::kCompacted;
  } else {
    const int64_t at = req.revision() > 0 ? req.revision() : revision();
    out.response = RangeOn(StateAt(at), req);
    out.response.mutable_header()->set_revision(revision());
  }
  return out;
}

ModelOutcome<etcdserverpb::PutResponse> Model::Put(const etcdserverpb::PutRequest& req) {
  etcdserverpb::TxnRequest txn;
  *txn.add_success()->mutable_request_put() = req;
  auto t = Txn(txn);
  ModelOutcome<etcdserverpb::PutResponse> out{t.status, {}};
  if (t.status == KvStatus::kOk) out.response = t.response.responses(0).response_put();
  return out;
}

ModelOutcome<etcdserverpb::DeleteRangeResponse> Model::DeleteRange(
    const etcdserverpb::DeleteRangeRequest& req) {
  etcdserverpb::TxnRequest txn;
  *txn.add_success()->mutable_request_delete_range() = req;
  auto t = Txn(txn);
  ModelOutcome<etcdserverpb::DeleteRangeResponse> out{t.status, {}};
  if (t.status == KvStatus::kOk) out.response = t.response.responses(0).response_delete_range();
  return out;
}

ModelOutcome<etcdserverpb::CompactionResponse> Model::Compact(
    const etcdserverpb::CompactionRequest& req) {
  ModelOutcome<etcdserverpb::CompactionResponse> out;
  if (req.revision() <= compact_) {
    out.status = KvStatus::kCompacted;
  } else if (req.revision() > revision()) {
    out.status = KvStatus::kFutureRev;
  } else {
    compact_ = req.revision();
    out.response.mutable_header()->set_revision(revision());
  }
  return out;
}

}  // namespace raftlab::mvcc::testing

namespace raftlab::mvcc::testing {

KvStatus Model::CheckPath(const etcdserverpb::TxnRequest& t, const ModelState& pre) const {
  for (const RequestOp& op : Guard(pre, t) ? t.success() : t.failure()) {
    if (op.has_request_put()) {
      const auto& p = op.request_put();
      if ((p.ignore_value() || p.ignore_lease()) && pre.count(p.key()) == 0) {
        return KvStatus::kKeyNotFound;
      }
      if (!p.ignore_lease() && p.lease() != 0 && leases_.count(p.lease()) == 0) {
        return KvStatus::kLeaseNotFound;
      }
    }
    if (op.has_request_range()) {
      const int64_t rev = op.request_range().revision();
      if (rev > revision()) return KvStatus::kFutureRev;
      if (rev > 0 && rev < compact_) return KvStatus::kCompacted;
    }
    if (op.has_request_txn()) {
      KvStatus s = CheckPath(op.request_txn(), pre);
      if (s != KvStatus::kOk) return s;
    }
  }
  return KvStatus::kOk;
}

void Model::RunPut(const etcdserverpb::PutRequest& p, ModelState* work,
                   etcdserverpb::PutResponse* resp) const {
  const int64_t next = revision() + 1;
  auto it = work->find(p.key());
  ModelKv v;
  if (it != work->end()) {
    if (p.prev_kv()) *resp->mutable_prev_kv() = ToKv(p.key(), it->second);
    v = it->second;
    v.version += 1;
  } else {
    v.create = next;
    v.version = 1;
  }
  v.mod = next;
  if (!p.ignore_value()) v.value = p.value();
  if (!p.ignore_lease()) v.lease = p.lease();
  (*work)[p.key()] = v;
}

etcdserverpb::TxnResponse Model::Run(const etcdserverpb::TxnRequest& t, const ModelState& pre,
                                     ModelState* work, bool* wrote) const {
  etcdserverpb::TxnResponse resp;
  resp.set_succeeded(Guard(pre, t));
  for (const RequestOp& op : resp.succeeded() ? t.success() : t.failure()) {
    auto* r = resp.add_responses();
    if (op.has_request_range()) {
      const auto& q = op.request_range();
      const ModelState& at = q.revision() > 0 ? StateAt(q.revision()) : *work;
      *r->mutable_response_range() = RangeOn(at, q);
    } else if (op.has_request_put()) {
      RunPut(op.request_put(), work, r->mutable_response_put());
      *wrote = true;
    } else if (op.has_request_delete_range()) {
      const auto& d = op.request_delete_range();
      auto* dr = r->mutable_response_delete_range();
      std::vector<std::string> doomed;
      for (const auto& [key, v] : *work) {
        if (!InRange(key, d.key(), d.range_end())) continue;
        doomed.push_back(key);
        if (d.prev_kv()) *dr->add_prev_kvs() = ToKv(key, v);
      }
      for (const auto& key : doomed) work->erase(key);
      dr->set_deleted(static_cast<int64_t>(doomed.size()));
      if (!doomed.empty()) *wrote = true;
    } else if (op.has_request_txn()) {
      *r->mutable_response_txn() = Run(op.request_txn(), pre, work, wrote);
      r->mutable_response_txn()->mutable_header()->Clear();  // etcd's newTxnResp: empty
    }
    // etcd: an op's header shows R until the txn wrote, then R + 1.
    const int64_t as_of = *wrote ? revision() + 1 : revision();
    if (r->has_response_range()) r->mutable_response_range()->mutable_header()->set_revision(as_of);
    if (r->has_response_put()) r->mutable_response_put()->mutable_header()->set_revision(as_of);
    if (r->has_response_delete_range()) {
      r->mutable_response_delete_range()->mutable_header()->set_revision(as_of);
    }
  }
  return resp;
}

ModelOutcome<etcdserverpb::TxnResponse> Model::Txn(const etcdserverpb::TxnRequest& req) {
  ModelOutcome<etcdserverpb::TxnResponse> out;
  out.status = StaticCheck(req);
  if (out.status != KvStatus::kOk) return out;
  for (const Ops* ops : {&req.success(), &req.failure()}) {
    std::set<std::string> puts;
    Dels dels;
    if (!Writes(*ops, &puts, &dels)) {
      out.status = KvStatus::kDuplicateKey;
      return out;
    }
  }
  const ModelState& pre = states_.back();
  out.status = CheckPath(req, pre);
  if (out.status != KvStatus::kOk) return out;
  ModelState work = pre;
  bool wrote = false;
  out.response = Run(req, pre, &work, &wrote);
  if (wrote) states_.push_back(std::move(work));
  out.response.mutable_header()->set_revision(revision());
  return out;
}

}  // namespace raftlab::mvcc::testing
