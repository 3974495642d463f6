// Snapshot encoding: a round trip restores an identical store, and any single
// flipped bit or truncation is reported as corruption, never accepted.
#include <string>

#include <gtest/gtest.h>

#include "core/mvcc/hash.h"
#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"

namespace raftlab::mvcc {
namespace {

KvStore SampleStore() {
  KvStore s;
  for (int i = 0; i < 5; ++i) {
    etcdserverpb::PutRequest p;
    p.set_key("k" + std::to_string(i % 3));
    p.set_value("v" + std::to_string(i));
    EXPECT_TRUE(s.Put(p).ok());
  }
  etcdserverpb::DeleteRangeRequest d;
  d.set_key("k1");
  EXPECT_TRUE(s.DeleteRange(d).ok());  // rev 7
  etcdserverpb::CompactionRequest c;
  c.set_revision(4);
  EXPECT_TRUE(s.Compact(c).ok());
  return s;
}

TEST(MvccSnapshot, RoundTripRestoresTheSameStore) {
  KvStore s = SampleStore();
  const std::string bytes = EncodeSnapshot(s);
  Result<KvStore> restored = DecodeSnapshot(bytes);
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  EXPECT_EQ(restored->current_revision(), 7);
  EXPECT_EQ(restored->compact_revision(), 4);
  EXPECT_EQ(restored->records().size(), s.records().size());
  EXPECT_EQ(HashKv(*restored, 0).hash, HashKv(s, 0).hash);
  ASSERT_NE(restored->Get("k0", 7), nullptr);
  EXPECT_EQ(restored->Get("k0", 7)->value(), "v3");
  EXPECT_EQ(restored->Get("k1", 7), nullptr);
  EXPECT_EQ(EncodeSnapshot(*restored), bytes);
}

TEST(MvccSnapshot, EveryFlippedBitIsDetected) {
  const std::string bytes = EncodeSnapshot(SampleStore());
  for (size_t i = 0; i < bytes.size() * 8; ++i) {
    std::string bad = bytes;
    bad[i / 8] = static_cast<char>(bad[i / 8] ^ (1 << (i % 8)));
    Result<KvStore> out = DecodeSnapshot(bad);
    ASSERT_FALSE(out.has_value()) << "bit " << i;
    EXPECT_EQ(out.error().code, ErrorCode::kCorruption);
  }
}

TEST(MvccSnapshot, TruncationIsDetected) {
  const std::string bytes = EncodeSnapshot(SampleStore());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeSnapshot(bytes.substr(0, n)).has_value()) << "length " << n;
  }
}

TEST(MvccSnapshot, ValidChecksumOverInvalidHistoryIsRejected) {
  // A record above R: structurally wrong even though the checksum matches.
  KvStore s;
  etcdserverpb::PutRequest p;
  p.set_key("a");
  ASSERT_TRUE(s.Put(p).ok());
  std::map<Revision, Record> records = s.records();
  KvStore target;
  std::string why;
  EXPECT_FALSE(target.Restore(1, -1, records, &why));  // record {2,0} above R=1
  EXPECT_NE(why.find("above R"), std::string::npos);
}

}  // namespace
}  // namespace raftlab::mvcc
