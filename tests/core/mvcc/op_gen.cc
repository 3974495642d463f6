#include "tests/core/mvcc/op_gen.h"

namespace raftlab::mvcc::testing {
namespace {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;

const char* const kKeys[] = {"a", "b", "c", "d", "ab", "ba"};
const char* const kValues[] = {"", "x", "y", "zz"};

std::string Key(Tape* t) { return kKeys[t->Next(6)]; }

std::string End(Tape* t) {
  switch (t->Next(6)) {
    case 0: return std::string(1, '\0');
    case 1: return Key(t);
    case 2: return "e";
    default: return "";
  }
}

int64_t Lease(Tape* t) {
  const int pick = t->Next(8);
  return pick < 5 ? 0 : pick - 4;  // 0 mostly; 1, 2 exist; 3 does not
}

RangeRequest BuildRange(Tape* t, int64_t r, int64_t c) {
  RangeRequest q;
  q.set_key(Key(t));
  q.set_range_end(End(t));
  if (t->Next(3) == 0) q.set_revision(t->Next(static_cast<int>(r + 3)) - 1);
  if (t->Next(3) == 0 && c > 0) q.set_revision(c);
  q.set_limit(t->Next(3) == 0 ? t->Next(4) : 0);
  if (t->Next(3) == 0) {
    q.set_sort_order(static_cast<RangeRequest::SortOrder>(t->Next(3)));
    q.set_sort_target(static_cast<RangeRequest::SortTarget>(t->Next(5)));
  }
  q.set_keys_only(t->Next(5) == 0);
  q.set_count_only(t->Next(7) == 0);
  if (t->Next(6) == 0) q.set_min_mod_revision(t->Next(static_cast<int>(r + 2)));
  if (t->Next(6) == 0) q.set_max_mod_revision(t->Next(static_cast<int>(r + 2)));
  if (t->Next(6) == 0) q.set_min_create_revision(t->Next(static_cast<int>(r + 2)));
  if (t->Next(6) == 0) q.set_max_create_revision(t->Next(static_cast<int>(r + 2)));
  return q;
}

etcdserverpb::PutRequest BuildPut(Tape* t) {
  etcdserverpb::PutRequest p;
  p.set_key(Key(t));
  p.set_value(kValues[t->Next(4)]);
  p.set_lease(Lease(t));
  p.set_prev_kv(t->Next(2) == 0);
  if (t->Next(6) == 0) {
    p.set_ignore_value(true);
    if (t->Next(4) != 0) p.clear_value();
  }
  if (t->Next(6) == 0) {
    p.set_ignore_lease(true);
    if (t->Next(4) != 0) p.clear_lease();
  }
  return p;
}

etcdserverpb::DeleteRangeRequest BuildDelete(Tape* t) {
  etcdserverpb::DeleteRangeRequest d;
  d.set_key(Key(t));
  d.set_range_end(t->Next(2) == 0 ? End(t) : "");
  d.set_prev_kv(t->Next(2) == 0);
  return d;
}

Compare BuildCompare(Tape* t, int64_t r) {
  Compare c;
  c.set_key(Key(t));
  if (t->Next(5) == 0) c.set_range_end(End(t));
  c.set_target(static_cast<Compare::CompareTarget>(t->Next(5)));
  c.set_result(static_cast<Compare::CompareResult>(t->Next(4)));
  // Usually the union member that matches the target; sometimes another.
  const int member = t->Next(8) == 0 ? t->Next(5) : static_cast<int>(c.target());
  switch (member) {
    case 0: c.set_version(t->Next(4)); break;
    case 1: c.set_create_revision(t->Next(static_cast<int>(r + 2))); break;
    case 2: c.set_mod_revision(t->Next(static_cast<int>(r + 2))); break;
    case 3: c.set_value(kValues[t->Next(4)]); break;
    default: c.set_lease(t->Next(3)); break;
  }
  return c;
}

etcdserverpb::TxnRequest BuildTxn(Tape* t, int64_t r, int64_t c, int depth) {
  etcdserverpb::TxnRequest txn;
  const int compares = t->Next(3);
  for (int i = 0; i < compares; ++i) *txn.add_compare() = BuildCompare(t, r);
  for (auto* branch : {txn.mutable_success(), txn.mutable_failure()}) {
    const int ops = t->Next(4);
    for (int i = 0; i < ops; ++i) {
      auto* op = branch->Add();
      const int kind = t->Next(depth == 0 ? 5 : 4);
      if (kind == 0) *op->mutable_request_range() = BuildRange(t, r, c);
      if (kind == 1 || kind == 3) *op->mutable_request_put() = BuildPut(t);
      if (kind == 2) *op->mutable_request_delete_range() = BuildDelete(t);
      if (kind == 4) *op->mutable_request_txn() = BuildTxn(t, r, c, depth + 1);
    }
  }
  return txn;
}

}  // namespace

Op BuildOp(Tape* t, int64_t r, int64_t c) {
  Op op;
  const int kind = t->Next(20);
  if (kind < 7) {
    op.kind = Op::kPut;
    op.put = BuildPut(t);
  } else if (kind < 9) {
    op.kind = Op::kDelete;
    op.del = BuildDelete(t);
  } else if (kind < 13) {
    op.kind = Op::kRange;
    op.range = BuildRange(t, r, c);
  } else if (kind < 18) {
    op.kind = Op::kTxn;
    op.txn = BuildTxn(t, r, c, 0);
  } else {
    op.kind = Op::kCompact;
    op.compact.set_revision(t->Next(static_cast<int>(r + 2)));
  }
  return op;
}

std::string Op::Describe() const {
  switch (kind) {
    case kRange: return "Range " + range.ShortDebugString();
    case kPut: return "Put " + put.ShortDebugString();
    case kDelete: return "DeleteRange " + del.ShortDebugString();
    case kTxn: return "Txn " + txn.ShortDebugString();
    case kCompact: return "Compact " + compact.ShortDebugString();
  }
  return "?";
}

}  // namespace raftlab::mvcc::testing
