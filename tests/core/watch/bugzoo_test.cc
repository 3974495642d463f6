// Bug zoo mutations seen through watches (BUGZOO.md B24, B25): correct
// behaviour with the bug off, the planted symptom with it on.
#include <gtest/gtest.h>

#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"
#include "core/watch/watchable_store.h"

namespace raftlab::watch {
namespace {

using etcdserverpb::WatchResponse;

BugSet With(Bug bug) {
  BugSet set;
  set.Add(bug);
  return set;
}

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

etcdserverpb::WatchCreateRequest Watch(const std::string& key, int64_t start) {
  etcdserverpb::WatchCreateRequest req;
  req.set_key(key);
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

// A follower's watch sees revisions 2 and 3 live, then the follower installs
// a leader snapshot at revision 5. Returns every event revision delivered.
std::vector<int64_t> ThroughSnapshotInstall(BugSet bugs) {
  mvcc::KvStore leader_kv;
  WatchableStore leader(&leader_kv);
  mvcc::KvStore kv;
  WatchableStore ws(&kv);
  ws.set_bugs(bugs);
  const int64_t id = ws.Create(Watch("a", 0)).watch_id;  // from 2
  for (WatchableStore* s : {&leader, &ws}) {
    Put(s, "a", "1");  // 2
    Put(s, "a", "2");  // 3
  }
  Put(&leader, "a", "3");  // 4
  Put(&leader, "b", "x");  // 5
  ws.MarkAllUnsynced();
  Result<mvcc::KvStore> snap = mvcc::DecodeSnapshot(mvcc::EncodeSnapshot(leader_kv));
  EXPECT_TRUE(snap.has_value());
  kv = std::move(*snap);
  ws.SyncWatchers();
  Put(&ws, "a", "4");  // 6, live
  return EventRevisions(ws.Drain(id));
}

TEST(WatchBugZoo, B24_SnapshotInstallNeverReplaysUnlessTheBugIsOn) {
  EXPECT_EQ(ThroughSnapshotInstall({}), (std::vector<int64_t>{2, 3, 4, 6}));
  EXPECT_EQ(ThroughSnapshotInstall(With(Bug::kWatchReplayAfterSnapshot)),
            (std::vector<int64_t>{2, 3, 2, 3, 4, 6}))
      << "revisions 2 and 3 should travel back in time";
}

// BUGZOO B25: PUT k v2..v4 (2..4), DELETE k (5), PUT k v6 (6), COMPACT 5, WATCH from 5.
std::vector<WatchResponse> WatchFromCompactedDelete(BugSet bugs) {
  mvcc::KvStore kv;
  kv.set_bugs(bugs);
  WatchableStore ws(&kv);
  for (const char* v : {"v2", "v3", "v4"}) Put(&ws, "k", v);
  Del(&ws, "k");
  Put(&ws, "k", "v6");
  etcdserverpb::CompactionRequest c;
  c.set_revision(5);
  EXPECT_TRUE(ws.Compact(c).ok());
  const int64_t id = ws.Create(Watch("k", 5)).watch_id;
  ws.SyncWatchers();
  return ws.Drain(id);
}

TEST(WatchBugZoo, B25_WatchFromCompactRevisionSeesTheDeleteUnlessTheBugIsOn) {
  std::vector<WatchResponse> good = WatchFromCompactedDelete({});
  ASSERT_EQ(EventRevisions(good), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(good[1].events(0).type(), mvccpb::Event::DELETE);
  std::vector<WatchResponse> bad = WatchFromCompactedDelete(With(Bug::kCompactDropsDelete));
  EXPECT_EQ(EventRevisions(bad), (std::vector<int64_t>{6})) << "the DELETE at 5 was delivered";
  for (const auto& resp : bad) EXPECT_FALSE(resp.canceled()) << "start 5 >= C: no cancel";
}

}  // namespace
}  // namespace raftlab::watch
