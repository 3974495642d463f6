// MVCC over a backend (core/mvcc/backend_store.cc): etcd's revision keys,
// and a store rebuilt from what a backend holds: after every commit, after
// a crash that loses the batch, and against the naive model.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "core/backend/file_backend.h"
#include "core/base/check.h"
#include "core/mvcc/hash.h"
#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"
#include "core/storage/memory_file_system.h"
#include "tests/core/mvcc/fake_leases.h"
#include "tests/core/mvcc/model.h"
#include "tests/core/mvcc/op_gen.h"
#include "tests/core/mvcc/rc_cases.h"

namespace raftlab::mvcc::testing {
namespace {

TEST(RevisionKey, IsEtcdsBytesAndSortsAsRevisions) {
  const std::string put = RevisionKey({1, 2}, false);
  EXPECT_EQ(put, std::string("\0\0\0\0\0\0\0\x01_\0\0\0\0\0\0\0\x02", 17));
  EXPECT_EQ(RevisionKey({1, 2}, true), put + "t");
  EXPECT_LT(RevisionKey({1, 300}, false), RevisionKey({2, 0}, false));
  EXPECT_LT(RevisionKey({255, 0}, false), RevisionKey({256, 0}, false));
  std::optional<ParsedRevisionKey> p = ParseRevisionKey(RevisionKey({70000, 3}, true));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->rev, (Revision{70000, 3}));
  EXPECT_TRUE(p->tombstone);
  EXPECT_FALSE(ParseRevisionKey(put.substr(0, 16)).has_value());
  EXPECT_FALSE(ParseRevisionKey(put + "x").has_value());
  std::string no_separator = put;
  no_separator[8] = '-';
  EXPECT_FALSE(ParseRevisionKey(no_separator).has_value());
}

std::unique_ptr<backend::FileBackend> Open(storage::MemoryFileSystem* fs) {
  auto b = backend::FileBackend::Open(fs, backend::BatchOptions{});
  CHECK_MSG(b.has_value(), b ? "" : b.error().message);
  return std::move(*b);
}

TEST(BackendStore, ARestartAfterADeleteCompactedAwayKeepsTheRevision) {
  // The path of bug zoo B26 (etcd #17780): the newest change is a delete
  // whose tombstone a compaction at R removes from the backend; R must come
  // back from the compact revision, not from the newest key left. raftlab's
  // compaction keeps a tombstone at exactly C, so only with B25 planted
  // (etcd's compaction before #18089) is the newest key below R.
  storage::MemoryFileSystem fs;
  {
    auto b = Open(&fs);
    KvStore s;
    BugSet bugs;
    bugs.Add(Bug::kCompactDropsDelete);
    s.set_bugs(bugs);
    s.set_backend(b.get());
    etcdserverpb::PutRequest p;
    p.set_key("a");
    ASSERT_TRUE(s.Put(p).ok());  // R = 2
    p.set_key("b");
    ASSERT_TRUE(s.Put(p).ok());  // R = 3
    etcdserverpb::DeleteRangeRequest d;
    d.set_key("b");
    ASSERT_TRUE(s.DeleteRange(d).ok());  // R = 4
    etcdserverpb::CompactionRequest c;
    c.set_revision(4);
    ASSERT_TRUE(s.Compact(c).ok());
    ASSERT_TRUE(b->Commit(0).has_value());
  }
  auto b = Open(&fs);
  Result<KvStore> loaded = KvStore::Load(b.get());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->current_revision(), 4);
  EXPECT_EQ(loaded->compact_revision(), 4);
  etcdserverpb::PutRequest p;
  p.set_key("c");
  EXPECT_EQ(loaded->Put(p).response.header().revision(), 5);  // never a reused revision
}

TEST(BackendStore, DamagedContentsAreRefusedNamingWhatIsWrong) {
  storage::MemoryFileSystem fs;
  auto b = Open(&fs);
  b->Put(backend::Bucket::kKey, "not a revision", "x");
  Result<KvStore> loaded = KvStore::Load(b.get());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message.find("not a revision"), std::string::npos);
}

// Random histories on a store over a FileBackend, committed at random
// points and crashed at the end: the store loaded back equals the store as
// it was at the last commit (byte-equal snapshot encodings), serves every
// revision the model serves at that point, and goes on writing the same.
TEST(BackendStore, ALoadedStoreIsTheStoreOfTheLastCommit) {
  raftlab::testing::CheckProperty(300, [] {
    const auto tapes =
        *rc::gen::scale(3.0, rc::gen::arbitrary<std::vector<std::vector<uint8_t>>>());
    const auto commit_after = *rc::gen::container<std::vector<bool>>(tapes.size(), rc::gen::arbitrary<bool>());
    FakeLeases leases({1, 2});
    storage::MemoryFileSystem fs;
    std::string at_last_commit = EncodeSnapshot(KvStore());
    int64_t model_revision_at_commit = 1;
    {
      auto b = Open(&fs);
      KvStore store(&leases);
      store.set_backend(b.get());
      Model model({1, 2});
      for (size_t i = 0; i < tapes.size(); ++i) {
        Tape tape(tapes[i]);
        const Op op = BuildOp(&tape, model.revision(), model.compact_revision());
        switch (op.kind) {
          case Op::kRange: break;
          case Op::kPut: store.Put(op.put), model.Put(op.put); break;
          case Op::kDelete: store.DeleteRange(op.del), model.DeleteRange(op.del); break;
          case Op::kTxn: store.Txn(op.txn), model.Txn(op.txn); break;
          case Op::kCompact: store.Compact(op.compact), model.Compact(op.compact); break;
        }
        store.TakeChanges();
        if (commit_after[i]) {
          RC_ASSERT(b->Commit(0).has_value());
          at_last_commit = EncodeSnapshot(store);
          model_revision_at_commit = model.revision();
        }
      }
    }
    fs.Crash();  // the batch since the last commit is lost
    auto b = Open(&fs);
    Result<KvStore> loaded = KvStore::Load(b.get());
    if (!loaded) RC_FAIL("load: " + loaded.error().message);
    loaded->CheckInvariants();
    RC_ASSERT(loaded->current_revision() == model_revision_at_commit);
    RC_ASSERT(EncodeSnapshot(*loaded) == at_last_commit);
    RC_TAG(model_revision_at_commit > 1 ? "committed writes" : "nothing committed");
  });
}

}  // namespace
}  // namespace raftlab::mvcc::testing
