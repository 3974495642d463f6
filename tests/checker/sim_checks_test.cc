// The watch, lease and durability checkers on hand-made records: each
// passes a correct record and reports the planted violation, naming it.
#include <gtest/gtest.h>

#include "checker/jsonl_reader.h"
#include "checker/sim_checks.h"

namespace raftlab::checker {
namespace {

KvChange PutOf(const std::string& key, const std::string& value, int64_t create, int64_t version,
               int64_t lease = 0) {
  return KvChange{false, key, value, create, version, lease};
}
KvChange DeleteOf(const std::string& key) { return KvChange{true, key, "", 0, 0, 0}; }

// r2 put a=1, r3 put b=1, r4 put a=2, r5 delete a, r6 put a=3 + b=2 (one txn).
CommittedHistory Committed() {
  CommittedHistory h;
  h.revisions[2] = {2000, {PutOf("a", "1", 2, 1)}};
  h.revisions[3] = {3000, {PutOf("b", "1", 3, 1)}};
  h.revisions[4] = {4000, {PutOf("a", "2", 2, 2)}};
  h.revisions[5] = {5000, {DeleteOf("a")}};
  h.revisions[6] = {6000, {PutOf("a", "3", 6, 1), PutOf("b", "2", 3, 2)}};
  h.final_revision = 6;
  return h;
}

WatchEventView Ev(const CommittedHistory& h, int64_t rev, const std::string& key) {
  for (const KvChange& c : h.revisions.at(rev).changes) {
    if (c.key != key) continue;
    WatchEventView e;
    e.is_delete = c.is_delete;
    e.kv = c.is_delete ? KeyValueView{key, "", rev, 0, 0, 0}
                       : KeyValueView{key, c.value, rev, c.create_revision, c.version, c.lease};
    return e;
  }
  ADD_FAILURE() << "no change to " << key << " at " << rev;
  return {};
}

WatchRecord Created(int64_t start, int64_t header) {
  WatchRecord r;
  r.kind = WatchRecord::Kind::kCreated;
  r.requested_start = start;
  r.header_revision = header;
  return r;
}
WatchRecord Events(std::vector<WatchEventView> events) {
  WatchRecord r;
  r.kind = WatchRecord::Kind::kEvents;
  r.events = std::move(events);
  return r;
}

// A prefix watch over everything from 2, broken after 4 and resumed at 5.
WatchStream GoodStream(const CommittedHistory& h) {
  WatchStream s;
  s.client = 9;
  s.key = "a";
  s.range_end = std::string(1, '\0');
  s.records = {Created(2, 1),
               Events({Ev(h, 2, "a")}),
               Events({Ev(h, 3, "b")}),
               Events({Ev(h, 4, "a")}),
               WatchRecord{WatchRecord::Kind::kBroken, 0, 1, 0, 0, 0, 0, false, {}, "crash"},
               Created(5, 4),
               Events({Ev(h, 5, "a")}),
               Events({Ev(h, 6, "a"), Ev(h, 6, "b")})};
  return s;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(WatchChecker, AcceptsAResumedStream) {
  const CommittedHistory h = Committed();
  EXPECT_EQ(Join(CheckWatchStreams(h, {GoodStream(h)}, {})), "");
}

TEST(WatchChecker, ReportsAReplayAfterResume) {
  const CommittedHistory h = Committed();
  WatchStream s = GoodStream(h);
  s.records.insert(s.records.begin() + 6, Events({Ev(h, 3, "b")}));  // B24's symptom
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0], "watch: stream 9 [a, \\0): revision 3 b delivered again (from member 0)");
}

TEST(WatchChecker, ReportsOutOfOrderAndGap) {
  const CommittedHistory h = Committed();
  WatchStream s = GoodStream(h);
  std::swap(s.records[2], s.records[3]);  // 4 then 3
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 2u) << Join(found);
  EXPECT_NE(found[0].find("missed revision 3 (PUT b) before delivering revision 4"),
            std::string::npos) << found[0];
  EXPECT_NE(found[1].find("revision 3 delivered after revision 4"), std::string::npos);
}

TEST(WatchChecker, ReportsAMissedDeleteUnlessCompactionWasAnnounced) {
  const CommittedHistory h = Committed();
  WatchStream s;
  s.client = 4;
  s.key = "a";
  s.records = {Created(5, 6), Events({Ev(h, 6, "a")})};  // B25's symptom: no DELETE at 5
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "watch: stream 4 [a, ): missed revision 5 (DELETE a) before delivering "
                      "revision 6");
  // Compacted at 6 and told so: 5 is excused.
  WatchRecord compacted;
  compacted.kind = WatchRecord::Kind::kCompacted;
  compacted.compact_revision = 6;
  s.records = {Created(2, 6), compacted, Created(6, 6), Events({Ev(h, 6, "a")})};
  EXPECT_EQ(Join(CheckWatchStreams(h, {s}, {})), "");
}

TEST(WatchChecker, ReportsASplitRevisionAndAWrongValue) {
  const CommittedHistory h = Committed();
  WatchStream s;
  s.client = 1;
  s.key = "a";
  s.range_end = "c";
  WatchEventView wrong = Ev(h, 4, "a");
  wrong.kv.value = "9";
  s.records = {Created(4, 3), Events({wrong}), Events({Ev(h, 5, "a")}), Events({Ev(h, 6, "a")}),
               Events({Ev(h, 6, "b")})};
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 3u) << Join(found);
  EXPECT_NE(found[0].find("revision 4 a delivered as PUT \"9\" but committed as PUT \"2\""),
            std::string::npos);
  EXPECT_NE(found[1].find("revision 6 delivered 1 of its 2 events"), std::string::npos);
  EXPECT_NE(found[2].find("revision 6 split across responses"), std::string::npos);
}

TEST(WatchChecker, ChecksPrevKv) {
  const CommittedHistory h = Committed();
  WatchStream s;
  s.client = 2;
  s.key = "a";
  s.prev_kv = true;
  WatchEventView e4 = Ev(h, 4, "a");
  e4.prev_kv = KeyValueView{"a", "1", 2, 2, 1, 0};
  WatchEventView e5 = Ev(h, 5, "a");
  e5.prev_kv = KeyValueView{"a", "2", 4, 2, 2, 0};
  WatchEventView e6 = Ev(h, 6, "a");  // a create: no prev_kv
  s.records = {Created(4, 3), Events({e4}), Events({e5}), Events({e6})};
  EXPECT_EQ(Join(CheckWatchStreams(h, {s}, {})), "");
  s.records[2].events[0].prev_kv->value = "1";
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("revision 5 a: prev_kv \"1\" but the value at 4 was \"2\""),
            std::string::npos);
}

WatchRecord Progress(int64_t revision) {
  WatchRecord r;
  r.kind = WatchRecord::Kind::kProgress;
  r.header_revision = revision;
  return r;
}

TEST(WatchChecker, ChecksFilters) {
  const CommittedHistory h = Committed();
  WatchStream s;
  s.client = 3;
  s.key = "a";
  s.no_delete = true;  // owed the puts to a at 2, 4 and 6, not the delete at 5
  s.records = {Created(2, 1), Events({Ev(h, 2, "a")}), Events({Ev(h, 4, "a")}),
               Events({Ev(h, 6, "a")})};
  EXPECT_EQ(Join(CheckWatchStreams(h, {s}, {})), "");
  s.records.insert(s.records.begin() + 3, Events({Ev(h, 5, "a")}));
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 1u) << Join(found);
  EXPECT_NE(found[0].find("revision 5 a delivered as DELETE despite the NODELETE filter"),
            std::string::npos) << found[0];
  // Without the filter the same stream owes the delete.
  s.no_delete = false;
  s.records.erase(s.records.begin() + 3);
  const auto missed = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(missed.size(), 1u) << Join(missed);
  EXPECT_NE(missed[0].find("missed revision 5 (DELETE a) before delivering revision 6"),
            std::string::npos) << missed[0];
}

TEST(WatchChecker, ChecksProgressNotifications) {
  const CommittedHistory h = Committed();
  WatchStream s;
  s.client = 5;
  s.key = "b";
  s.progress_notify = true;
  // b changes at 3 and 6: a bookmark at 4 after 3 was delivered is right.
  s.records = {Created(2, 1), Events({Ev(h, 3, "b")}), Progress(4), Events({Ev(h, 6, "b")})};
  EXPECT_EQ(Join(CheckWatchStreams(h, {s}, {})), "");
  // A bookmark at 4 before 3 was delivered: it promised 3.
  s.records = {Created(2, 1), Progress(4), Events({Ev(h, 3, "b")}), Events({Ev(h, 6, "b")})};
  const auto found = CheckWatchStreams(h, {s}, {});
  ASSERT_EQ(found.size(), 2u) << Join(found);
  EXPECT_NE(found[0].find("missed revision 3 (PUT b) before a progress notification at 4"),
            std::string::npos) << found[0];
  EXPECT_NE(found[1].find("revision 3 b delivered after a progress notification at 4"),
            std::string::npos) << found[1];
}

// Lease 7 granted (TTL 3 s) at t=1s, key "l" put at r2, kept alive at t=2s;
// the key is deleted by a revoke at r3.
std::vector<AuxOp> LeaseOps() {
  AuxOp grant{1, 1, "grant", 1, 1'000'000'000, 1'100'000'000, "ok", 7, 3, "", "", {}, ""};
  AuxOp put{1, 2, "put", 1, 1'200'000'000, 1'300'000'000, "ok", 7, 0, "l", "v", 2, ""};
  AuxOp keepalive{1, 3, "keepalive", 1, 2'000'000'000, 2'100'000'000, "ok", 7, 3, "", "", {}, ""};
  return {grant, put, keepalive};
}

CommittedHistory LeaseHistory(uint64_t deleted_at_ns) {
  CommittedHistory h;
  h.revisions[2] = {1'250'000'000, {PutOf("l", "v", 2, 1, 7)}};
  h.revisions[3] = {deleted_at_ns, {DeleteOf("l")}};
  h.final_revision = 3;
  return h;
}

TEST(LeaseChecker, AcceptsExpiryAfterTheTtl) {
  EXPECT_EQ(Join(CheckLeases(LeaseHistory(5'100'000'000), LeaseOps(), {})), "");
}

TEST(LeaseChecker, ReportsAKeyDeletedBeforeTheTtlAfterAKeepalive) {
  const auto found = CheckLeases(LeaseHistory(4'000'000'000), LeaseOps(), {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "lease: key l of lease 7 deleted at revision 3 (4000 ms) only 2000 ms after "
                      "a renewal invoked at 2000 ms with TTL 3 s");
  // A member clock up to 1.5x fast makes 2 s of real time a legal 3 s TTL.
  EXPECT_EQ(Join(CheckLeases(LeaseHistory(4'000'000'000), LeaseOps(), {500'000})), "");
  // The client's own revoke excuses it.
  std::vector<AuxOp> ops = LeaseOps();
  ops.push_back(AuxOp{1, 4, "revoke", 1, 3'900'000'000, {}, "info", 7, 0, "", "", {}, ""});
  EXPECT_EQ(Join(CheckLeases(LeaseHistory(4'000'000'000), ops, {})), "");
}

TEST(DurabilityChecker, AcceptsAndReportsAcknowledgedWrites) {
  const CommittedHistory h = Committed();
  std::vector<AckedWrite> good = {{"client 1 op 1", "a", false, "2", 4},
                                  {"client 1 op 2", "a", true, "", 5},
                                  {"client 2 op 3", "b", false, "2", 6}};
  EXPECT_EQ(Join(CheckDurability(h, good)), "");
  std::vector<AckedWrite> bad = {{"client 1 op 1", "a", false, "5", 4},
                                 {"client 1 op 2", "b", true, "", 5},
                                 {"client 2 op 3", "b", false, "7", 7}};
  const auto found = CheckDurability(h, bad);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0], "durability: client 1 op 1 PUT \"5\" a acknowledged at revision 4, which "
                      "holds \"2\" instead");
  EXPECT_EQ(found[1], "durability: client 1 op 2 DELETE b acknowledged at revision 5 is not in "
                      "the committed history");
  EXPECT_EQ(found[2], "durability: client 2 op 3 PUT \"7\" b acknowledged at revision 7 above "
                      "the final revision 6");
}

TEST(JsonlReader, SkipsWatchLeaseAndCompactionRecords) {
  const std::string text =
      "{\"client\":1,\"invoke_ns\":0,\"return_ns\":5,\"status\":\"ok\",\"f\":\"put\","
      "\"key\":\"k\",\"value\":\"v\"}\n"
      "{\"record\":\"watch\",\"client\":2,\"kind\":\"broken\"}\n"
      "{\"record\":\"lease\",\"client\":3,\"f\":\"grant\"}\n";
  Result<History> h = ReadJsonl(text, "t");
  ASSERT_TRUE(h.has_value()) << h.error().message;
  EXPECT_EQ(h->ops.size(), 1u);
}

}  // namespace
}  // namespace raftlab::checker
