// One test per rule of SEMANTICS.md S1-S6 (the store's part). Expected values
// are worked out by hand from the rule text, never read back from the store.
#include <string>

#include <gtest/gtest.h>

#include "core/mvcc/hash.h"
#include "core/mvcc/kv_store.h"
#include "core/mvcc/txn.h"
#include "tests/core/mvcc/fake_leases.h"

namespace raftlab::mvcc {
namespace {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;
using testing::FakeLeases;

const std::string kNul(1, '\0');

etcdserverpb::PutRequest PutReq(const std::string& key, const std::string& value,
                                int64_t lease = 0) {
  etcdserverpb::PutRequest p;
  p.set_key(key);
  p.set_value(value);
  p.set_lease(lease);
  return p;
}

RangeRequest RangeReq(const std::string& key, const std::string& end = "", int64_t rev = 0) {
  RangeRequest r;
  r.set_key(key);
  r.set_range_end(end);
  r.set_revision(rev);
  return r;
}

etcdserverpb::DeleteRangeRequest DelReq(const std::string& key, const std::string& end = "") {
  etcdserverpb::DeleteRangeRequest d;
  d.set_key(key);
  d.set_range_end(end);
  return d;
}

int64_t PutOk(KvStore* s, const std::string& k, const std::string& v, int64_t lease = 0) {
  auto out = s->Put(PutReq(k, v, lease));
  EXPECT_TRUE(out.ok()) << KvStatusName(out.status);
  return out.response.header().revision();
}

std::string Keys(const etcdserverpb::RangeResponse& r) {
  std::string out;
  for (const auto& kv : r.kvs()) out += (out.empty() ? "" : ",") + kv.key();
  return out;
}

etcdserverpb::CompactionRequest CompactReq(int64_t rev) {
  etcdserverpb::CompactionRequest c;
  c.set_revision(rev);
  return c;
}

TEST(Semantics, S1_1_EmptyStoreStartsAtRevisionOneWithCompactMinusOne) {
  KvStore s;
  EXPECT_EQ(s.current_revision(), 1);
  EXPECT_EQ(s.compact_revision(), -1);
}

TEST(Semantics, S1_2_OnlyEffectiveWritesAdvanceRevision) {
  KvStore s;
  EXPECT_EQ(PutOk(&s, "a", "1"), 2);
  EXPECT_EQ(s.Range(RangeReq("a")).response.header().revision(), 2);
  auto del = s.DeleteRange(DelReq("zz"));  // deletes nothing
  EXPECT_EQ(del.response.header().revision(), 2);
  etcdserverpb::TxnRequest read_only;
  *read_only.add_success()->mutable_request_range() = RangeReq("a");
  EXPECT_EQ(s.Txn(read_only).response.header().revision(), 2);
  EXPECT_TRUE(s.Compact(CompactReq(2)).ok());
  EXPECT_EQ(s.current_revision(), 2);
  EXPECT_EQ(s.DeleteRange(DelReq("a")).response.header().revision(), 3);
}

TEST(Semantics, S1_3_ChangesOfOneRevisionAreNumberedBySub) {
  KvStore s;
  etcdserverpb::TxnRequest t;
  *t.add_success()->mutable_request_put() = PutReq("b", "1");
  *t.add_success()->mutable_request_put() = PutReq("a", "1");
  ASSERT_TRUE(s.Txn(t).ok());
  auto events = s.TakeChanges();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kv().key(), "b");  // execution order, not key order
  EXPECT_EQ(s.records().count(Revision{2, 0}), 1u);
  EXPECT_EQ(s.records().at(Revision{2, 1}).kv.key(), "a");
}

TEST(Semantics, S2_2_KeyValueFieldsFollowTheGeneration) {
  FakeLeases leases({7});
  KvStore s(&leases);
  PutOk(&s, "k", "v1");        // rev 2: create
  PutOk(&s, "k", "v2", 7);     // rev 3
  s.DeleteRange(DelReq("k"));  // rev 4: tombstone
  PutOk(&s, "k", "v3");        // rev 5: new generation
  const auto* at3 = s.Get("k", 3);
  ASSERT_NE(at3, nullptr);
  EXPECT_EQ(at3->create_revision(), 2);
  EXPECT_EQ(at3->mod_revision(), 3);
  EXPECT_EQ(at3->version(), 2);
  EXPECT_EQ(at3->lease(), 7);
  const auto* at5 = s.Get("k", 5);
  ASSERT_NE(at5, nullptr);
  EXPECT_EQ(at5->create_revision(), 5);
  EXPECT_EQ(at5->version(), 1);
  EXPECT_EQ(at5->lease(), 0);
}

TEST(Semantics, S2_3_KeyIsAbsentAfterTombstoneAndBeforeFirstPut) {
  KvStore s;
  PutOk(&s, "other", "x");  // 2
  PutOk(&s, "k", "v");      // 3
  s.DeleteRange(DelReq("k"));  // 4
  EXPECT_EQ(s.Get("k", 2), nullptr);
  EXPECT_NE(s.Get("k", 3), nullptr);
  EXPECT_EQ(s.Get("k", 4), nullptr);
}

TEST(Semantics, S2_4_PutOverwritesLeaseAndIdenticalValueMakesRevision) {
  FakeLeases leases({7});
  KvStore s(&leases);
  PutOk(&s, "k", "v", 7);
  EXPECT_EQ(PutOk(&s, "k", "v"), 3);  // same value, new revision, lease 0
  EXPECT_EQ(s.Get("k", 3)->lease(), 0);
  EXPECT_EQ(s.Get("k", 3)->version(), 2);
}

TEST(Semantics, S3_1_RangeEndConventions) {
  KvStore s;
  for (const char* k : {"a", "b", "ba", "c"}) PutOk(&s, k, "x");
  EXPECT_EQ(Keys(s.Range(RangeReq("b")).response), "b");
  EXPECT_EQ(Keys(s.Range(RangeReq("b", kNul)).response), "b,ba,c");
  EXPECT_EQ(Keys(s.Range(RangeReq(kNul, kNul)).response), "a,b,ba,c");
  EXPECT_EQ(Keys(s.Range(RangeReq("b", "c")).response), "b,ba");
  EXPECT_EQ(Keys(s.Range(RangeReq("c", "a")).response), "");
}

TEST(Semantics, S3_2_EmptyKeyIsRejected) {
  KvStore s;
  EXPECT_EQ(s.Range(RangeReq("")).status, KvStatus::kEmptyKey);
  EXPECT_EQ(s.Put(PutReq("", "v")).status, KvStatus::kEmptyKey);
  EXPECT_EQ(s.DeleteRange(DelReq("")).status, KvStatus::kEmptyKey);
}

TEST(Semantics, S3_3_FutureRevCheckedFirstThenCompacted) {
  KvStore s;
  for (int i = 0; i < 4; ++i) PutOk(&s, "k", std::to_string(i));  // R = 5
  ASSERT_TRUE(s.Compact(CompactReq(4)).ok());
  EXPECT_EQ(s.Range(RangeReq("k", "", 6)).status, KvStatus::kFutureRev);
  EXPECT_EQ(s.Range(RangeReq("k", "", 3)).status, KvStatus::kCompacted);
  auto at_c = s.Range(RangeReq("k", "", 4));
  ASSERT_TRUE(at_c.ok());
  EXPECT_EQ(at_c.response.kvs(0).value(), "2");
}

TEST(Semantics, S3_5_CountIgnoresLimitAndMoreMeansTruncated) {
  KvStore s;
  for (const char* k : {"a", "b", "c"}) PutOk(&s, k, "x");
  RangeRequest r = RangeReq("a", kNul);
  r.set_limit(2);
  auto out = s.Range(r).response;
  EXPECT_EQ(out.count(), 3);
  EXPECT_EQ(out.kvs_size(), 2);
  EXPECT_TRUE(out.more());
  r.set_limit(3);
  EXPECT_FALSE(s.Range(r).response.more());
}

TEST(Semantics, S3_6_KeysOnlyAndCountOnly) {
  KvStore s;
  PutOk(&s, "a", "value");
  RangeRequest r = RangeReq("a");
  r.set_keys_only(true);
  auto keys = s.Range(r).response;
  ASSERT_EQ(keys.kvs_size(), 1);
  EXPECT_EQ(keys.kvs(0).value(), "");
  EXPECT_EQ(keys.kvs(0).mod_revision(), 2);
  r.set_keys_only(false);
  r.set_count_only(true);
  auto count = s.Range(r).response;
  EXPECT_EQ(count.kvs_size(), 0);
  EXPECT_EQ(count.count(), 1);
}

TEST(Semantics, S3_7_SortAndFiltersApplyBeforeLimit) {
  KvStore s;
  PutOk(&s, "a", "x");  // 2
  PutOk(&s, "b", "x");  // 3
  PutOk(&s, "c", "x");  // 4
  PutOk(&s, "a", "y");  // 5: a now has the highest mod revision
  RangeRequest r = RangeReq("a", kNul);
  r.set_sort_order(RangeRequest::DESCEND);
  r.set_sort_target(RangeRequest::MOD);
  r.set_limit(1);
  EXPECT_EQ(Keys(s.Range(r).response), "a");
  RangeRequest f = RangeReq("a", kNul);
  f.set_min_mod_revision(4);
  f.set_limit(1);
  auto out = s.Range(f).response;
  EXPECT_EQ(Keys(out), "a");  // b (mod 3) filtered first; limit keeps a
  EXPECT_TRUE(out.more());    // c also passed the filter
  EXPECT_EQ(out.count(), 3);
}

TEST(Semantics, S3_8_HeaderIsCurrentRevisionForHistoricalReads) {
  KvStore s;
  PutOk(&s, "a", "1");
  PutOk(&s, "a", "2");
  auto out = s.Range(RangeReq("a", "", 2));
  EXPECT_EQ(out.response.header().revision(), 3);
  EXPECT_EQ(out.response.kvs(0).value(), "1");
}

TEST(Semantics, S4_2_PrevKvReturnsPreWriteValue) {
  KvStore s;
  auto first = PutReq("a", "1");
  first.set_prev_kv(true);
  EXPECT_FALSE(s.Put(first).response.has_prev_kv());
  auto second = PutReq("a", "2");
  second.set_prev_kv(true);
  auto out = s.Put(second).response;
  ASSERT_TRUE(out.has_prev_kv());
  EXPECT_EQ(out.prev_kv().value(), "1");
  EXPECT_EQ(out.header().revision(), 3);
}

TEST(Semantics, S4_3_IgnoreValueAndLeaseRules) {
  FakeLeases leases({7});
  KvStore s(&leases);
  auto p = PutReq("a", "");
  p.set_ignore_value(true);
  EXPECT_EQ(s.Put(p).status, KvStatus::kKeyNotFound);
  PutOk(&s, "a", "keep", 7);
  EXPECT_TRUE(s.Put(p).ok());
  EXPECT_EQ(s.Get("a", 3)->value(), "keep");
  EXPECT_EQ(s.Get("a", 3)->lease(), 0);  // lease not ignored: overwritten with 0
  p.set_value("x");
  EXPECT_EQ(s.Put(p).status, KvStatus::kValueProvided);
  auto l = PutReq("a", "new", 7);
  l.set_ignore_lease(true);
  EXPECT_EQ(s.Put(l).status, KvStatus::kLeaseProvided);
}

TEST(Semantics, S4_4_UnknownLeaseFailsWithNothingApplied) {
  FakeLeases leases({7});
  KvStore s(&leases);
  EXPECT_EQ(s.Put(PutReq("a", "v", 8)).status, KvStatus::kLeaseNotFound);
  EXPECT_EQ(s.current_revision(), 1);
  EXPECT_EQ(s.Get("a", 1), nullptr);
}

TEST(Semantics, S4_5_DeleteRangeReportsDeletedAndPrevKvs) {
  KvStore s;
  PutOk(&s, "a", "1");
  PutOk(&s, "b", "2");
  auto d = DelReq("a", "c");
  d.set_prev_kv(true);
  auto out = s.DeleteRange(d).response;
  EXPECT_EQ(out.deleted(), 2);
  ASSERT_EQ(out.prev_kvs_size(), 2);
  EXPECT_EQ(out.prev_kvs(1).value(), "2");
  EXPECT_EQ(out.header().revision(), 4);
  EXPECT_EQ(s.DeleteRange(d).response.header().revision(), 4);
}

TEST(Semantics, S5_2_MissingKeyComparesAsZeroAndValueCompareFails) {
  KvStore s;
  Compare version_zero;
  version_zero.set_key("missing");
  version_zero.set_target(Compare::VERSION);
  version_zero.set_result(Compare::EQUAL);
  version_zero.set_version(0);
  EXPECT_TRUE(EvaluateCompare(s, version_zero, s.current_revision()));
  Compare value_empty;
  value_empty.set_key("missing");
  value_empty.set_target(Compare::VALUE);
  value_empty.set_result(Compare::EQUAL);
  value_empty.set_value("");
  EXPECT_FALSE(EvaluateCompare(s, value_empty, s.current_revision()));
}

TEST(Semantics, S5_1_RangeCompareNeedsEveryKey) {
  KvStore s;
  PutOk(&s, "a1", "x");
  PutOk(&s, "a2", "y");
  Compare c;
  c.set_key("a");
  c.set_range_end("b");
  c.set_target(Compare::VALUE);
  c.set_result(Compare::EQUAL);
  c.set_value("x");
  EXPECT_FALSE(EvaluateCompare(s, c, s.current_revision()));  // a2 has "y"
  c.set_result(Compare::NOT_EQUAL);
  c.set_value("z");
  EXPECT_TRUE(EvaluateCompare(s, c, s.current_revision()));
}

TEST(Semantics, S5_3_LaterReadsInBranchSeeEarlierWrites) {
  KvStore s;
  etcdserverpb::TxnRequest t;
  *t.add_success()->mutable_request_put() = PutReq("a", "new");
  *t.add_success()->mutable_request_range() = RangeReq("a");
  auto out = s.Txn(t);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.response.succeeded());
  const auto& read = out.response.responses(1).response_range();
  ASSERT_EQ(read.kvs_size(), 1);
  EXPECT_EQ(read.kvs(0).value(), "new");
  EXPECT_EQ(read.kvs(0).mod_revision(), 2);
}

TEST(Semantics, S5_4_AllWritesShareOneRevision) {
  KvStore s;
  PutOk(&s, "c", "old");
  etcdserverpb::TxnRequest t;
  *t.add_success()->mutable_request_put() = PutReq("a", "1");
  *t.add_success()->mutable_request_put() = PutReq("b", "1");
  *t.add_success()->mutable_request_delete_range() = DelReq("c");
  auto out = s.Txn(t);
  EXPECT_EQ(out.response.header().revision(), 3);
  EXPECT_EQ(s.Get("a", 3)->mod_revision(), 3);
  EXPECT_EQ(s.Get("b", 3)->mod_revision(), 3);
  EXPECT_EQ(s.Get("c", 3), nullptr);
}

TEST(Semantics, S5_5_RejectedTxnsApplyNothing) {
  FakeLeases leases({7});
  KvStore s(&leases);
  PutOk(&s, "a", "1");
  struct Case {
    etcdserverpb::TxnRequest txn;
    KvStatus want;
  };
  std::vector<Case> cases(5);
  for (int i = 0; i <= kMaxTxnOps; ++i) {
    *cases[0].txn.add_success()->mutable_request_put() = PutReq("k" + std::to_string(i), "v");
  }
  cases[0].want = KvStatus::kTooManyOps;
  *cases[1].txn.add_success()->mutable_request_put() = PutReq("b", "1");
  *cases[1].txn.add_success()->mutable_request_put() = PutReq("b", "2");
  cases[1].want = KvStatus::kDuplicateKey;
  *cases[2].txn.add_success()->mutable_request_delete_range() = DelReq("a", "c");
  *cases[2].txn.add_success()->mutable_request_put() = PutReq("b", "2");
  cases[2].want = KvStatus::kDuplicateKey;
  *cases[3].txn.add_success()->mutable_request_put() = PutReq("b", "1");
  *cases[3].txn.add_success()->mutable_request_put() = PutReq("c", "1", 99);
  cases[3].want = KvStatus::kLeaseNotFound;
  *cases[4].txn.add_success()->mutable_request_put() = PutReq("b", "1");
  *cases[4].txn.add_success()->mutable_request_range() = RangeReq("a", "", 50);
  cases[4].want = KvStatus::kFutureRev;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(s.Txn(cases[i].txn).status, cases[i].want);
    EXPECT_EQ(s.current_revision(), 2);
    EXPECT_EQ(s.Get("b", 2), nullptr);
  }
}

TEST(Semantics, S5_6_FailedPathReadOnlyKeepsRevision) {
  KvStore s;
  PutOk(&s, "a", "1");
  etcdserverpb::TxnRequest t;
  Compare* c = t.add_compare();
  c->set_key("a");
  c->set_target(Compare::VALUE);
  c->set_result(Compare::EQUAL);
  c->set_value("nope");
  *t.add_success()->mutable_request_put() = PutReq("a", "2");
  *t.add_failure()->mutable_request_range() = RangeReq("a");
  auto out = s.Txn(t);
  EXPECT_FALSE(out.response.succeeded());
  EXPECT_EQ(out.response.header().revision(), 2);
  EXPECT_EQ(s.current_revision(), 2);
}

TEST(Semantics, S6_1_CompactBoundsAreChecked) {
  KvStore s;
  PutOk(&s, "a", "1");
  PutOk(&s, "a", "2");  // R = 3
  EXPECT_EQ(s.Compact(CompactReq(4)).status, KvStatus::kFutureRev);
  EXPECT_TRUE(s.Compact(CompactReq(2)).ok());
  EXPECT_EQ(s.Compact(CompactReq(2)).status, KvStatus::kCompacted);
  EXPECT_EQ(s.Compact(CompactReq(1)).status, KvStatus::kCompacted);
  EXPECT_EQ(s.compact_revision(), 2);
}

TEST(Semantics, S6_2_TombstoneAtCompactRevisionIsKept) {
  KvStore s;
  PutOk(&s, "a", "1");         // 2
  s.DeleteRange(DelReq("a"));  // 3: tombstone
  ASSERT_TRUE(s.Compact(CompactReq(3)).ok());
  EXPECT_EQ(s.records().count(Revision{3, 0}), 1u);  // [main] rule
  EXPECT_EQ(s.records().count(Revision{2, 0}), 0u);
  EXPECT_EQ(s.index().Find("a")->Describe(), "t{3,0}");
}

TEST(Semantics, S6_2_TombstoneBelowCompactRevisionIsDropped) {
  KvStore s;
  PutOk(&s, "a", "1");         // 2
  s.DeleteRange(DelReq("a"));  // 3
  PutOk(&s, "b", "1");         // 4
  ASSERT_TRUE(s.Compact(CompactReq(4)).ok());
  EXPECT_EQ(s.records().count(Revision{3, 0}), 0u);
  EXPECT_EQ(s.index().Find("a"), nullptr);  // S6.3: no changes left, key removed
}

TEST(Semantics, S6_2_LatestPutAtOrBelowCompactIsKept) {
  KvStore s;
  PutOk(&s, "a", "1");  // 2
  PutOk(&s, "a", "2");  // 3
  PutOk(&s, "a", "3");  // 4
  ASSERT_TRUE(s.Compact(CompactReq(3)).ok());
  EXPECT_EQ(s.index().Find("a")->Describe(), "{3,0} {4,0}");
}

TEST(Semantics, S6_4_StateAtCompactRevisionStaysReadable) {
  KvStore s;
  PutOk(&s, "a", "1");  // 2
  PutOk(&s, "b", "1");  // 3
  PutOk(&s, "a", "2");  // 4
  s.DeleteRange(DelReq("b"));  // 5
  ASSERT_TRUE(s.Compact(CompactReq(4)).ok());
  auto out = s.Range(RangeReq("a", kNul, 4)).response;
  ASSERT_EQ(out.kvs_size(), 2);
  EXPECT_EQ(out.kvs(0).value(), "2");
  EXPECT_EQ(out.kvs(0).version(), 2);
  EXPECT_EQ(out.kvs(1).key(), "b");
}

TEST(Semantics, S3_4_ResultsAscendByKeyUnlessSorted) {
  KvStore s;
  for (const char* k : {"c", "a", "b"}) PutOk(&s, k, "x");  // written out of order
  EXPECT_EQ(Keys(s.Range(RangeReq("a", kNul)).response), "a,b,c");
  RangeRequest by_create = RangeReq("a", kNul);
  by_create.set_sort_target(RangeRequest::CREATE);  // NONE + non-key target: ascending
  EXPECT_EQ(Keys(s.Range(by_create).response), "c,a,b");
  by_create.set_sort_order(RangeRequest::DESCEND);
  EXPECT_EQ(Keys(s.Range(by_create).response), "b,a,c");
}

// Enum values outside etcd 3.4's (proto3 enums are open: any client may
// send them) are taken as etcd's code takes them, never a crash. Found by
// tests/fuzz/fuzz_client_request.cc (corpus/client_request/
// txn-compare-unknown-target), which stopped on an UNREACHABLE.
TEST(Semantics, S5_1_UnknownCompareTargetOrResultIsAsEtcdTakesIt) {
  KvStore s;
  PutOk(&s, "k", "v");
  Compare c;
  c.set_key("k");
  c.set_target(static_cast<Compare::CompareTarget>(99));  // compares nothing: "equal"
  c.set_result(Compare::EQUAL);
  EXPECT_TRUE(EvaluateCompare(s, c, s.current_revision()));
  c.set_result(Compare::GREATER);
  EXPECT_FALSE(EvaluateCompare(s, c, s.current_revision()));
  c.set_target(Compare::VALUE);
  c.set_value("w");  // "v" < "w", and a result etcd does not know holds
  c.set_result(static_cast<Compare::CompareResult>(42));
  EXPECT_TRUE(EvaluateCompare(s, c, s.current_revision()));
}

TEST(Semantics, S3_4_UnknownSortOrderOrTargetLeavesKeyOrder) {
  KvStore s;
  for (const char* k : {"c", "a", "b"}) PutOk(&s, k, "x");
  RangeRequest r = RangeReq("a", kNul);
  r.set_sort_target(RangeRequest::CREATE);
  r.set_sort_order(static_cast<RangeRequest::SortOrder>(7));  // etcd: no sort
  EXPECT_EQ(Keys(s.Range(r).response), "a,b,c");
  r.set_sort_order(RangeRequest::DESCEND);
  r.set_sort_target(static_cast<RangeRequest::SortTarget>(9));  // etcd 3.4 panics
  EXPECT_EQ(Keys(s.Range(r).response), "a,b,c");
}

TEST(Semantics, S5_1_EveryTargetAndResult) {
  FakeLeases leases({7});
  KvStore s(&leases);
  PutOk(&s, "k", "m");     // rev 2
  PutOk(&s, "k", "m", 7);  // rev 3: version 2, create 2, mod 3, value "m", lease 7
  struct Case {
    Compare::CompareTarget target;
    int64_t number;  // for numeric targets
    std::string value;
    bool equal, not_equal, greater, less;
  };
  const std::vector<Case> cases = {
      {Compare::VERSION, 2, "", true, false, false, false},
      {Compare::VERSION, 3, "", false, true, false, true},
      {Compare::CREATE, 1, "", false, true, true, false},
      {Compare::MOD, 3, "", true, false, false, false},
      {Compare::MOD, 4, "", false, true, false, true},
      {Compare::VALUE, 0, "m", true, false, false, false},
      {Compare::VALUE, 0, "a", false, true, true, false},
      {Compare::VALUE, 0, "z", false, true, false, true},
      {Compare::LEASE, 7, "", true, false, false, false},
      {Compare::LEASE, 0, "", false, true, true, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    Compare cmp;
    cmp.set_key("k");
    cmp.set_target(c.target);
    if (c.target == Compare::VERSION) cmp.set_version(c.number);
    if (c.target == Compare::CREATE) cmp.set_create_revision(c.number);
    if (c.target == Compare::MOD) cmp.set_mod_revision(c.number);
    if (c.target == Compare::VALUE) cmp.set_value(c.value);
    if (c.target == Compare::LEASE) cmp.set_lease(c.number);
    const std::pair<Compare::CompareResult, bool> results[] = {
        {Compare::EQUAL, c.equal}, {Compare::NOT_EQUAL, c.not_equal},
        {Compare::GREATER, c.greater}, {Compare::LESS, c.less}};
    for (const auto& [result, want] : results) {
      cmp.set_result(result);
      EXPECT_EQ(EvaluateCompare(s, cmp, s.current_revision()), want) << result;
    }
  }
}

TEST(Semantics, S5_5_StateChecksFollowOnlyTheChosenBranch) {
  KvStore s;
  etcdserverpb::TxnRequest t;
  Compare* c = t.add_compare();
  c->set_key("a");
  c->set_target(Compare::VERSION);
  c->set_result(Compare::EQUAL);
  c->set_version(0);  // true: "a" is missing
  *t.add_success()->mutable_request_put() = PutReq("a", "1");
  *t.add_failure()->mutable_request_put() = PutReq("b", "1", 99);  // unknown lease, not taken
  auto out = s.Txn(t);
  ASSERT_TRUE(out.ok()) << KvStatusName(out.status);
  EXPECT_TRUE(out.response.succeeded());
  EXPECT_EQ(out.response.header().revision(), 2);
}

TEST(Semantics, S5_3_NestedTxnSeesOuterWritesButGuardsUseTxnStart) {
  KvStore s;
  etcdserverpb::TxnRequest outer;
  *outer.add_success()->mutable_request_put() = PutReq("a", "1");
  etcdserverpb::TxnRequest* inner = outer.add_success()->mutable_request_txn();
  Compare* c = inner->add_compare();
  c->set_key("a");
  c->set_target(Compare::VERSION);
  c->set_result(Compare::EQUAL);
  c->set_version(0);  // evaluated before the txn (etcd's compareToPath): true
  *inner->add_success()->mutable_request_range() = RangeReq("a");
  auto out = s.Txn(outer);
  ASSERT_TRUE(out.ok());
  const auto& nested = out.response.responses(1).response_txn();
  EXPECT_TRUE(nested.succeeded());
  ASSERT_EQ(nested.responses(0).response_range().kvs_size(), 1);  // but reads see the put
  EXPECT_EQ(nested.responses(0).response_range().header().revision(), 2);
  // etcd 3.4 leaves a nested txn's own header empty (newTxnResp).
  EXPECT_TRUE(nested.has_header());
  EXPECT_EQ(nested.header().revision(), 0);
}

TEST(Semantics, S5_4_EachTxnOpReportsTheRevisionAsOfThatOp) {
  // etcd's storeTxnWrite: R until the txn changed something, then R + 1.
  KvStore s;
  PutOk(&s, "a", "1");  // R = 2
  etcdserverpb::TxnRequest t;
  *t.add_success()->mutable_request_range() = RangeReq("a");
  t.add_success()->mutable_request_delete_range()->set_key("missing");
  t.add_success()->mutable_request_delete_range()->set_key("a");
  *t.add_success()->mutable_request_range() = RangeReq("a");
  auto out = s.Txn(t);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.response.header().revision(), 3);
  EXPECT_EQ(out.response.responses(0).response_range().header().revision(), 2);
  EXPECT_EQ(out.response.responses(1).response_delete_range().header().revision(), 2);
  EXPECT_EQ(out.response.responses(2).response_delete_range().header().revision(), 3);
  EXPECT_EQ(out.response.responses(3).response_range().header().revision(), 3);
}

TEST(Hash, EqualHistoriesHashEqualAndDifferentValuesDiffer) {
  KvStore a, b;
  PutOk(&a, "k", "1");
  PutOk(&b, "k", "1");
  EXPECT_EQ(HashKv(a, 0).hash, HashKv(b, 0).hash);
  PutOk(&a, "k", "2");
  PutOk(&b, "k", "3");
  EXPECT_EQ(HashKv(a, 2).hash, HashKv(b, 2).hash);  // up to rev 2 they agree
  EXPECT_NE(HashKv(a, 3).hash, HashKv(b, 3).hash);
  EXPECT_EQ(HashKv(a, 9).status, KvStatus::kFutureRev);
}

}  // namespace
}  // namespace raftlab::mvcc
