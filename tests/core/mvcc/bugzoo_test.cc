// Bug zoo mutations of the MVCC store (BUGZOO.md B25, B26): each test shows
// the correct behaviour with the bug off and the planted behaviour with it
// on, so a mutation that stops doing anything (or leaks into correct runs)
// fails here.
#include <gtest/gtest.h>

#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"

namespace raftlab::mvcc {
namespace {

BugSet With(std::initializer_list<Bug> bugs) {
  BugSet set;
  for (Bug b : bugs) set.Add(b);
  return set;
}

void Put(KvStore* s, const std::string& k, const std::string& v) {
  etcdserverpb::PutRequest p;
  p.set_key(k);
  p.set_value(v);
  ASSERT_TRUE(s->Put(p).ok());
}

void Del(KvStore* s, const std::string& k) {
  etcdserverpb::DeleteRangeRequest d;
  d.set_key(k);
  ASSERT_EQ(s->DeleteRange(d).response.deleted(), 1);
}

bool Compact(KvStore* s, int64_t rev) {
  etcdserverpb::CompactionRequest c;
  c.set_revision(rev);
  return s->Compact(c).ok();
}

// BUGZOO B25's schedule: PUT k (2..4), DELETE k (5), PUT k (6), COMPACT 5.
KvStore B25Store(BugSet bugs) {
  KvStore s;
  s.set_bugs(bugs);
  for (const char* v : {"v2", "v3", "v4"}) Put(&s, "k", v);
  Del(&s, "k");
  Put(&s, "k", "v6");
  EXPECT_TRUE(Compact(&s, 5));
  s.CheckInvariants();
  return s;
}

TEST(MvccBugZoo, B25_CompactKeepsTheTombstoneAtCUnlessTheBugIsOn) {
  KvStore good = B25Store({});
  EXPECT_EQ(good.records().count(Revision{5, 0}), 1u);
  EXPECT_EQ(good.index().Find("k")->Describe(), "t{5,0} | {6,0}");
  KvStore bad = B25Store(With({Bug::kCompactDropsDelete}));
  EXPECT_EQ(bad.records().count(Revision{5, 0}), 0u) << "the tombstone at c survived";
  EXPECT_EQ(bad.index().Find("k")->Describe(), "{6,0}");
  // Reads are unaffected (the key is absent at 5 either way): only watches see it.
  EXPECT_EQ(bad.Get("k", 5), nullptr);
}

// A store whose newest revision is a delete, compacted at that delete.
KvStore NewestTombstoneCompacted(BugSet bugs) {
  KvStore s;
  s.set_bugs(bugs);
  Put(&s, "a", "1");  // 2
  Put(&s, "b", "1");  // 3
  Del(&s, "b");       // 4
  EXPECT_TRUE(Compact(&s, 4));
  return s;
}

TEST(MvccBugZoo, B26_RestoredRevisionComesFromThePersistedCounterUnlessTheBugIsOn) {
  // Correct compaction keeps the tombstone at 4 and the counter says 4.
  KvStore s = NewestTombstoneCompacted({});
  ASSERT_EQ(s.current_revision(), 4);
  Result<KvStore> good = DecodeSnapshot(EncodeSnapshot(s));
  ASSERT_TRUE(good.has_value()) << good.error().message;
  EXPECT_EQ(good->current_revision(), 4);
  EXPECT_EQ(good->compact_revision(), 4);
  // B26 restores as etcd 3.5's backend did: the compacted tombstone is gone
  // and R comes from the newest key left, the put of a at 2.
  Result<KvStore> bad = DecodeSnapshot(EncodeSnapshot(s), With({Bug::kRevisionFromKeys}));
  ASSERT_TRUE(bad.has_value()) << bad.error().message;
  EXPECT_EQ(bad->current_revision(), 2) << "the revision did not go backwards";
  bad->CheckInvariants();
  // The next write reuses revision 3, which already named an acknowledged put.
  Put(&*bad, "c", "1");
  EXPECT_EQ(bad->current_revision(), 3);
  // A newer write after the compacted delete keeps R where it was.
  KvStore later = NewestTombstoneCompacted({});
  Put(&later, "d", "1");  // 5
  Result<KvStore> fine = DecodeSnapshot(EncodeSnapshot(later), With({Bug::kRevisionFromKeys}));
  ASSERT_TRUE(fine.has_value()) << fine.error().message;
  EXPECT_EQ(fine->current_revision(), 5);
}

}  // namespace
}  // namespace raftlab::mvcc
