// Watch rules of SEMANTICS.md S7 one by one, plus the interval index against
// a brute-force scan. Expected values are worked out from the rule text.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"
#include "core/watch/interval_index.h"
#include "core/watch/watchable_store.h"
#include "tests/core/mvcc/rc_cases.h"

namespace raftlab::watch {
namespace {

using etcdserverpb::WatchCreateRequest;
using etcdserverpb::WatchResponse;

void Put(WatchableStore* ws, const std::string& key, const std::string& value) {
  etcdserverpb::PutRequest p;
  p.set_key(key);
  p.set_value(value);
  ASSERT_TRUE(ws->Put(p).ok());
}

void Del(WatchableStore* ws, const std::string& key) {
  etcdserverpb::DeleteRangeRequest d;
  d.set_key(key);
  ASSERT_TRUE(ws->DeleteRange(d).ok());
}

WatchCreateRequest Watch(const std::string& key, const std::string& end, int64_t start) {
  WatchCreateRequest req;
  req.set_key(key);
  req.set_range_end(end);
  req.set_start_revision(start);
  return req;
}

std::vector<int64_t> EventRevisions(const std::vector<WatchResponse>& stream) {
  std::vector<int64_t> out;
  for (const auto& resp : stream) {
    for (const auto& e : resp.events()) out.push_back(e.kv().mod_revision());
  }
  return out;
}

TEST(WatchSemantics, S7_1_CreateResponseCarriesCurrentRevision) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  Put(&ws, "a", "1");  // R = 2
  const int64_t id = ws.Create(Watch("a", "", 0)).watch_id;
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].created());
  EXPECT_EQ(out[0].header().revision(), 2);
  Put(&ws, "a", "2");  // start 0 means R+1 = 3: delivered
  EXPECT_EQ(EventRevisions(ws.Drain(id)), std::vector<int64_t>{3});
}

TEST(WatchSemantics, S7_1_StartBelowCompactIsCanceledWithCompactRevision) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  for (int i = 0; i < 4; ++i) Put(&ws, "a", std::to_string(i));  // R = 5
  etcdserverpb::CompactionRequest c;
  c.set_revision(4);
  ASSERT_TRUE(ws.Compact(c).ok());
  const int64_t id = ws.Create(Watch("a", "", 3)).watch_id;
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[1].canceled());
  EXPECT_EQ(out[1].compact_revision(), 4);
  // etcd 3.4's shape (its mvcc response carries no revision, and the
  // reason is left to the client, which reads compact_revision).
  EXPECT_TRUE(out[1].has_header());
  EXPECT_EQ(out[1].header().revision(), 0);
  EXPECT_EQ(out[1].cancel_reason(), "");
  EXPECT_FALSE(ws.Exists(id));
  // start == C is fine: the state at C is retained.
  const int64_t at_c = ws.Create(Watch("a", "", 4)).watch_id;
  ws.SyncWatchers();
  EXPECT_EQ(EventRevisions(ws.Drain(at_c)), (std::vector<int64_t>{4, 5}));
}

TEST(WatchSemantics, S7_1_FutureStartDeliversNothingOlder) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  const int64_t id = ws.Create(Watch("a", "", 4)).watch_id;  // R = 1
  Put(&ws, "a", "1");                                        // 2
  Put(&ws, "a", "2");                                        // 3
  Put(&ws, "a", "3");                                        // 4
  EXPECT_EQ(EventRevisions(ws.Drain(id)), std::vector<int64_t>{4});
}

TEST(WatchSemantics, S6_2_WatchFromCompactRevisionSeesTombstoneAtC) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  Put(&ws, "a", "1");  // 2
  Del(&ws, "a");       // 3
  etcdserverpb::CompactionRequest c;
  c.set_revision(3);
  ASSERT_TRUE(ws.Compact(c).ok());
  const int64_t id = ws.Create(Watch("a", "", 3)).watch_id;
  ws.SyncWatchers();
  auto out = ws.Drain(id);
  ASSERT_EQ(EventRevisions(out), std::vector<int64_t>{3});
  EXPECT_EQ(out[1].events(0).type(), mvccpb::Event::DELETE);
}

TEST(WatchSemantics, S7_2_UnsyncedWatcherCatchesUpInRevisionOrder) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv, WatchOptions{.sync_revisions_max = 1});  // one revision per sync step
  Put(&ws, "a", "1");                           // 2
  Put(&ws, "b", "1");                           // 3
  Put(&ws, "a", "2");                           // 4
  const int64_t id = ws.Create(Watch("a", "", 2)).watch_id;
  Put(&ws, "a", "3");  // 5: not delivered live, the watcher is behind
  EXPECT_EQ(EventRevisions(ws.Drain(id)), std::vector<int64_t>{});
  ws.SyncWatchers();  // replays 2
  ws.SyncWatchers();  // 3 (nothing for a)
  EXPECT_EQ(EventRevisions(ws.Drain(id)), std::vector<int64_t>{2});
  ws.SyncWatchers();  // 4
  ws.SyncWatchers();  // 5, now synced
  EXPECT_EQ(ws.synced_count(), 1u);
  Put(&ws, "a", "4");  // 6, live
  EXPECT_EQ(EventRevisions(ws.Drain(id)), (std::vector<int64_t>{4, 5, 6}));
}

TEST(WatchSemantics, S7_2_FragmentsSplitOnlyWhenAsked) {
  // etcd's sendFragments: pieces stay below the limit (or hold one event).
  // Five 400-byte values against a 1,000-byte limit: 2 + 2 + 1.
  mvcc::KvStore kv;
  WatchableStore ws(&kv, WatchOptions{.fragment_bytes = 1000});
  auto frag = Watch("a", std::string(1, '\0'), 0);
  frag.set_fragment(true);
  const int64_t fragmented = ws.Create(frag).watch_id;
  const int64_t whole = ws.Create(Watch("a", std::string(1, '\0'), 0)).watch_id;
  etcdserverpb::TxnRequest txn;
  for (const char* k : {"a", "b", "c", "d", "e"}) {
    auto* p = txn.add_success()->mutable_request_put();
    p->set_key(k);
    p->set_value(std::string(400, 'v'));
  }
  ASSERT_TRUE(ws.Txn(txn).ok());
  auto pieces = ws.Drain(fragmented);
  ASSERT_EQ(pieces.size(), 4u);  // created + 2 + 2 + 1
  EXPECT_EQ(pieces[1].events_size(), 2);
  EXPECT_EQ(pieces[2].events_size(), 2);
  EXPECT_EQ(pieces[3].events_size(), 1);
  EXPECT_TRUE(pieces[1].fragment());
  EXPECT_TRUE(pieces[2].fragment());
  EXPECT_FALSE(pieces[3].fragment());
  for (size_t i = 1; i < pieces.size(); ++i) EXPECT_LT(pieces[i].ByteSizeLong(), 1000u);
  auto one = ws.Drain(whole);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[1].events_size(), 5);
  EXPECT_FALSE(one[1].fragment());
}

TEST(WatchSemantics, S7_2_AnEventAboveTheLimitTravelsAloneAndSmallResponsesWhole) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv, WatchOptions{.fragment_bytes = 1000});
  auto frag = Watch("a", std::string(1, '\0'), 0);
  frag.set_fragment(true);
  const int64_t id = ws.Create(frag).watch_id;
  etcdserverpb::TxnRequest txn;
  for (const char* k : {"a", "b"}) {
    auto* p = txn.add_success()->mutable_request_put();
    p->set_key(k);
    p->set_value(std::string(k[0] == 'a' ? 2000 : 10, 'v'));
  }
  ASSERT_TRUE(ws.Txn(txn).ok());  // 2: one huge event, one small
  Put(&ws, "c", "small");         // 3: a response far below the limit
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 4u);  // created, [a] (fragment), [b], [c]
  EXPECT_EQ(out[1].events_size(), 1);
  EXPECT_TRUE(out[1].fragment());
  EXPECT_EQ(out[2].events(0).kv().key(), "b");
  EXPECT_FALSE(out[2].fragment());
  EXPECT_FALSE(out[3].fragment());
}

TEST(WatchSemantics, S7_2_CatchUpSendsSeveralRevisionsInOneResponse) {
  // etcd's syncWatchers: the history a watcher is behind on comes as one
  // response of up to watchBatchMaxRevs revisions (here 2).
  mvcc::KvStore kv;
  WatchableStore ws(&kv, WatchOptions{.batch_revisions_max = 2});
  Put(&ws, "a", "1");  // 2
  Put(&ws, "b", "1");  // 3
  Put(&ws, "a", "2");  // 4
  Put(&ws, "a", "3");  // 5
  Put(&ws, "a", "4");  // 6
  const int64_t id = ws.Create(Watch("a", "", 2)).watch_id;
  ws.SyncWatchers();
  auto first = ws.Drain(id);
  ASSERT_EQ(first.size(), 2u);  // created, then revisions 2 and 4
  EXPECT_EQ(EventRevisions({first[1]}), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(first[1].header().revision(), 6);
  EXPECT_EQ(ws.unsynced_count(), 1u);
  ws.SyncWatchers();
  auto second = ws.Drain(id);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(EventRevisions(second), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(ws.synced_count(), 1u);
}

TEST(WatchSemantics, S7_1_ARangeWhoseEndIsNotAboveItsKeyIsRefused) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  EXPECT_EQ(ws.Create(Watch("z", "a", 0)).status, WatchStatus::kEmptyRange);
  EXPECT_EQ(ws.Create(Watch("a", "a", 0)).status, WatchStatus::kEmptyRange);
  EXPECT_EQ(ws.Create(Watch("a", std::string(1, '\0'), 0)).status, WatchStatus::kOk);
  EXPECT_EQ(ws.Create(Watch("a", "b", 0)).status, WatchStatus::kOk);
  EXPECT_EQ(ws.Create(Watch("", std::string(1, '\0'), 0)).status, WatchStatus::kOk);
}

TEST(WatchSemantics, S7_3_DeleteEventCarriesKeyAndModRevisionOnly) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  Put(&ws, "a", "v");
  auto req = Watch("a", "", 0);
  req.set_prev_kv(true);
  const int64_t id = ws.Create(req).watch_id;
  Del(&ws, "a");  // 3
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 2u);
  const auto& e = out[1].events(0);
  EXPECT_EQ(e.type(), mvccpb::Event::DELETE);
  EXPECT_EQ(e.kv().key(), "a");
  EXPECT_EQ(e.kv().mod_revision(), 3);
  EXPECT_EQ(e.kv().value(), "");
  EXPECT_EQ(e.kv().version(), 0);
  EXPECT_EQ(e.prev_kv().value(), "v");  // S7.4: the KeyValue at revision 2
}

TEST(WatchSemantics, S7_5_FilteredEmptyResponsesAreNotSent) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  auto req = Watch("a", "", 0);
  req.add_filters(WatchCreateRequest::NOPUT);
  const int64_t id = ws.Create(req).watch_id;
  Put(&ws, "a", "1");
  Del(&ws, "a");
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 2u);  // created, then only the DELETE
  EXPECT_EQ(out[1].events(0).type(), mvccpb::Event::DELETE);
}

TEST(WatchSemantics, S7_6_BookmarksOnlyWhenCaughtUp) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv, WatchOptions{.sync_revisions_max = 1});
  Put(&ws, "a", "1");  // 2
  Put(&ws, "a", "2");  // 3
  auto req = Watch("a", "", 2);
  req.set_progress_notify(true);
  const int64_t id = ws.Create(req).watch_id;
  ws.Drain(id);
  ws.RequestProgress();
  ws.TickProgress();
  EXPECT_TRUE(ws.Drain(id).empty());  // behind: no bookmark
  ws.SyncWatchers();
  ws.SyncWatchers();
  ws.TickProgress();
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].events_size(), 0);
  EXPECT_EQ(out[2].header().revision(), 3);
}

TEST(WatchSemantics, CancelSendsCanceledAndStopsDelivery) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  const int64_t id = ws.Create(Watch("a", "", 0)).watch_id;
  EXPECT_EQ(ws.Cancel(id), WatchStatus::kOk);
  EXPECT_EQ(ws.Cancel(id), WatchStatus::kNotFound);
  Put(&ws, "a", "1");
  auto out = ws.Drain(id);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[1].canceled());
  auto dup = Watch("a", "", 0);
  dup.set_watch_id(7);
  EXPECT_EQ(ws.Create(dup).status, WatchStatus::kOk);
  EXPECT_EQ(ws.Create(dup).status, WatchStatus::kWatchIdExists);
}

TEST(WatchSemantics, SnapshotInstallCatchesWatchersUpFromNewContents) {
  mvcc::KvStore leader_kv;
  WatchableStore leader(&leader_kv);
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  Put(&leader, "a", "1");  // both at 2
  Put(&ws, "a", "1");
  const int64_t id = ws.Create(Watch("a", "", 0)).watch_id;  // from 3
  Put(&leader, "a", "2");  // 3
  Put(&leader, "b", "x");  // 4
  Put(&leader, "a", "3");  // 5
  ws.MarkAllUnsynced();
  Result<mvcc::KvStore> snap = mvcc::DecodeSnapshot(mvcc::EncodeSnapshot(leader_kv));
  ASSERT_TRUE(snap.has_value());
  kv = std::move(*snap);
  ws.SyncWatchers();
  EXPECT_EQ(EventRevisions(ws.Drain(id)), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(ws.synced_count(), 1u);
}

// The interval index finds exactly the ranges a brute-force scan finds.
TEST(IntervalIndex, StabMatchesBruteForce) {
  raftlab::testing::CheckProperty(
      500, [](const std::vector<std::tuple<uint8_t, uint8_t, uint8_t>>& ops,
              const std::vector<uint8_t>& probes) {
        const char* keys[] = {"a", "ab", "b", "ba", "c", "d"};
        IntervalIndex index;
        std::map<int64_t, mvcc::KeyRange> brute;
        int64_t next = 0;
        for (const auto& [kind, x, y] : ops) {
          if (kind % 4 == 0 && !brute.empty()) {
            auto it = std::next(brute.begin(), static_cast<long>(x % brute.size()));
            index.Erase(it->first);
            brute.erase(it);
            continue;
          }
          std::string end = y % 3 == 0 ? "" : (y % 3 == 1 ? std::string(1, '\0') : keys[y % 6]);
          mvcc::KeyRange range = mvcc::KeyRange::FromRequest(keys[x % 6], end);
          index.Insert(next, range);
          brute.emplace(next++, range);
          for (uint8_t p : probes) {
            std::vector<int64_t> want;
            for (const auto& [id, r] : brute) {
              if (r.Contains(keys[p % 6])) want.push_back(id);
            }
            RC_ASSERT(index.Stab(keys[p % 6]) == want);
          }
        }
      });
}


// The quirk of etcd's duplicate check kept in core/mvcc/txn.h: a nested put
// and a later nested delete of one key make two events in one revision. A
// watch catching up over that revision gets both, in sub order.
TEST(WatchSemantics, S7_CatchUpDeliversAPutAndADeleteOfOneKeyInOneRevision) {
  for (bool prev_kv : {false, true}) {
    SCOPED_TRACE(prev_kv);
    mvcc::KvStore kv;
    WatchableStore ws(&kv);
    etcdserverpb::TxnRequest txn;
    etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_txn()->add_success()
                                        ->mutable_request_put();
    put->set_key("b");
    put->set_value("1");
    txn.add_success()->mutable_request_txn()->add_success()->mutable_request_delete_range()
        ->set_key("b");
    ASSERT_TRUE(ws.Txn(txn).ok());  // R = 2
    ASSERT_EQ(kv.current_revision(), 2);
    WatchCreateRequest req = Watch("a", std::string(1, '\0'), 2);
    req.set_prev_kv(prev_kv);
    req.set_fragment(true);
    req.set_progress_notify(true);
    const int64_t id = ws.Create(req).watch_id;
    ws.SyncWatchers();
    std::vector<std::pair<int, std::string>> got;
    for (const WatchResponse& resp : ws.Drain(id)) {
      for (const auto& e : resp.events()) got.emplace_back(e.type(), e.kv().key());
    }
    const std::vector<std::pair<int, std::string>> want{{mvccpb::Event::PUT, "b"},
                                                        {mvccpb::Event::DELETE, "b"}};
    EXPECT_EQ(got, want);
  }
}

// S6.2: compacting at C keeps only the latest change of each key at or
// below C (the tombstone at C), so a watch catching up from C afterwards
// gets the DELETE of that revision but not the PUT before it. Nothing else
// of revision C may go: the put of another key stays.
TEST(WatchSemantics, S6_2_CatchUpFromACompactedRevisionGetsOnlyItsLatestChangePerKey) {
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  etcdserverpb::TxnRequest txn;
  etcdserverpb::PutRequest* put =
      txn.add_success()->mutable_request_txn()->add_success()->mutable_request_put();
  put->set_key("b");
  put->set_value("1");
  etcdserverpb::PutRequest* other = txn.add_success()->mutable_request_put();
  other->set_key("c");
  other->set_value("2");
  txn.add_success()->mutable_request_txn()->add_success()->mutable_request_delete_range()
      ->set_key("b");
  ASSERT_TRUE(ws.Txn(txn).ok());  // R = 2
  ASSERT_EQ(kv.current_revision(), 2);
  etcdserverpb::CompactionRequest c;
  c.set_revision(2);
  ASSERT_TRUE(ws.Compact(c).ok());
  const int64_t id = ws.Create(Watch("a", std::string(1, '\0'), 2)).watch_id;
  ws.SyncWatchers();
  std::vector<std::pair<int, std::string>> got;
  for (const WatchResponse& resp : ws.Drain(id)) {
    for (const auto& e : resp.events()) got.emplace_back(e.type(), e.kv().key());
  }
  const std::vector<std::pair<int, std::string>> want{{mvccpb::Event::PUT, "c"},
                                                      {mvccpb::Event::DELETE, "b"}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace raftlab::watch
