// Lessor tests, named after SEMANTICS.md S8. Time is a driven integer clock
// in milliseconds; expected expiry times are computed by hand from the rules.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "core/lease/lessor.h"
#include "core/mvcc/kv_store.h"
#include "tests/core/mvcc/rc_cases.h"

namespace raftlab::lease {
namespace {

constexpr int64_t kMinTtl = 3;

TEST(LeaseSemantics, S8_1_GrantChoosesPositiveUniqueIds) {
  Lessor l(kMinTtl);
  auto a = l.Grant(0, 10, 0);
  auto b = l.Grant(0, 10, 0);
  ASSERT_EQ(a.status, LeaseStatus::kOk);
  EXPECT_GT(a.id, 0);
  EXPECT_GT(b.id, 0);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(l.Grant(a.id, 10, 0).status, LeaseStatus::kLeaseExists);
  auto explicit_id = l.Grant(3, 10, 0);  // 3 is unused so far: 1 and 2 were chosen
  EXPECT_EQ(explicit_id.id, 3);
  auto next = l.Grant(0, 10, 0);  // skips 3
  EXPECT_EQ(next.id, 4);
}

TEST(LeaseSemantics, S8_1_TtlBoundsAndMinimum) {
  Lessor l(kMinTtl);
  EXPECT_EQ(l.Grant(0, 9'000'000'001, 0).status, LeaseStatus::kTtlTooLarge);
  EXPECT_EQ(l.Grant(0, 9'000'000'000, 0).status, LeaseStatus::kOk);
  EXPECT_EQ(l.Grant(0, 1, 0).ttl_seconds, kMinTtl);
}

TEST(LeaseSemantics, S8_2_RevokeDeletesAttachedKeysInOneRevision) {
  Lessor l(kMinTtl);
  mvcc::KvStore kv(&l);
  const int64_t id = l.Grant(0, 10, 0).id;
  for (const char* key : {"c", "a", "b"}) {
    etcdserverpb::PutRequest p;
    p.set_key(key);
    p.set_lease(id);
    ASSERT_TRUE(kv.Put(p).ok());
  }
  etcdserverpb::PutRequest other;  // moved off the lease: detached
  other.set_key("b");
  ASSERT_TRUE(kv.Put(other).ok());  // rev 5
  RevokeResult revoke = l.Revoke(id);
  ASSERT_EQ(revoke.status, LeaseStatus::kOk);
  EXPECT_EQ(revoke.keys, (std::vector<std::string>{"a", "c"}));
  auto txn = kv.Txn(RevokeTxn(revoke.keys));
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(txn.response.header().revision(), 6);
  EXPECT_EQ(kv.Get("a", 6), nullptr);
  EXPECT_NE(kv.Get("b", 6), nullptr);
  EXPECT_FALSE(l.LeaseExists(id));
  EXPECT_EQ(l.Revoke(id).status, LeaseStatus::kLeaseNotFound);
}

TEST(LeaseSemantics, S8_3_KeepAliveResetsExpiryAndReturnsTtl) {
  Lessor l(kMinTtl);
  l.Promote(0, 0);
  const int64_t id = l.Grant(0, 10, 0).id;  // expires at 10'000
  auto ka = l.KeepAlive(id, 6'000);         // now expires at 16'000
  EXPECT_EQ(ka.ttl_seconds, 10);
  EXPECT_TRUE(l.ExpiredLeases(15'999).empty());
  EXPECT_EQ(l.ExpiredLeases(16'000), std::vector<int64_t>{id});
  EXPECT_EQ(l.KeepAlive(99, 0).ttl_seconds, 0);
  EXPECT_EQ(l.KeepAlive(99, 0).status, LeaseStatus::kLeaseNotFound);
}

// S8.7: an expired lease is not renewed even before its revoke applies;
// otherwise a client is told "alive for TTL" about a lease about to vanish
// (found by the simulator's lease checker: a cut-off leader proposed the
// revoke, then confirmed a keepalive after healing, then applied the revoke).
TEST(LeaseSemantics, S8_7_ExpiredLeaseIsNotRenewed) {
  Lessor l(kMinTtl);
  l.Promote(0, 0);
  const int64_t id = l.Grant(0, 10, 0).id;  // expires at 10'000
  EXPECT_EQ(l.KeepAlive(id, 9'999).ttl_seconds, 10);  // now expires at 19'999
  const KeepAliveResult late = l.KeepAlive(id, 19'999);
  EXPECT_EQ(late.status, LeaseStatus::kLeaseNotFound);
  EXPECT_EQ(late.ttl_seconds, 0);
  EXPECT_EQ(l.ExpiredLeases(19'999), std::vector<int64_t>{id}) << "still awaiting its revoke";
}

TEST(LeaseSemantics, S8_4_TimeToLiveInWholeSeconds) {
  Lessor l(kMinTtl);
  l.Promote(0, 0);
  const int64_t id = l.Grant(0, 10, 1'000).id;  // expires at 11'000
  auto ttl = l.TimeToLive(id, 2'500, true);
  EXPECT_EQ(ttl.remaining_seconds, 8);  // 8.5 s rounds down
  EXPECT_EQ(ttl.granted_ttl_seconds, 10);
  EXPECT_EQ(l.TimeToLive(42, 0, false).remaining_seconds, -1);
}

TEST(LeaseSemantics, S8_5_FollowersNeverExpireLeases) {
  Lessor l(kMinTtl);
  const int64_t id = l.Grant(0, 5, 0).id;
  EXPECT_TRUE(l.ExpiredLeases(1'000'000'000).empty());
  EXPECT_EQ(l.KeepAlive(id, 0).status, LeaseStatus::kNotPrimary);
  l.Promote(0, 0);
  l.Demote();
  EXPECT_TRUE(l.ExpiredLeases(1'000'000'000).empty());
}

TEST(LeaseSemantics, S8_6_PromoteRenewsWithExtensionAndCheckpoint) {
  Lessor l(kMinTtl);
  const int64_t full = l.Grant(0, 10, 0).id;
  const int64_t checkpointed = l.Grant(0, 10, 0).id;
  ASSERT_EQ(l.Checkpoint(checkpointed, 4), LeaseStatus::kOk);
  l.Promote(50'000, 1'500);
  // full: 50'000 + 1'500 + 10'000; checkpointed: 50'000 + 1'500 + 4'000.
  EXPECT_TRUE(l.ExpiredLeases(55'499).empty());
  EXPECT_EQ(l.ExpiredLeases(55'500), std::vector<int64_t>{checkpointed});
  EXPECT_EQ(l.ExpiredLeases(61'499), std::vector<int64_t>{checkpointed});
  EXPECT_EQ(l.ExpiredLeases(61'500), (std::vector<int64_t>{full, checkpointed}));
}

TEST(LeaseSnapshot, RoundTripAndFlippedBits) {
  Lessor l(kMinTtl);
  const int64_t id = l.Grant(0, 10, 0).id;
  l.Attach(id, "k1");
  l.Attach(id, "k0");
  ASSERT_EQ(l.Checkpoint(id, 7), LeaseStatus::kOk);
  const std::string bytes = l.Encode();
  Result<Lessor> back = Lessor::Decode(bytes, kMinTtl);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->LeaseIds(), std::vector<int64_t>{id});
  EXPECT_FALSE(back->is_primary());
  EXPECT_EQ(back->Revoke(id).keys, (std::vector<std::string>{"k0", "k1"}));
  EXPECT_EQ(back->Grant(0, 10, 0).id, id + 1);  // next_id survived
  for (size_t i = 0; i < bytes.size() * 8; ++i) {
    std::string bad = bytes;
    bad[i / 8] = static_cast<char>(bad[i / 8] ^ (1 << (i % 8)));
    ASSERT_FALSE(Lessor::Decode(bad, kMinTtl).has_value()) << "bit " << i;
  }
}

// S8.5 / S8.7 over random schedules of time steps, keepalives, promotions
// and demotions: the lessor reports a lease expired exactly when a simple
// model says so, and never before ttl has passed since the last renewal.
TEST(LeaseProperty, ExpiryMatchesRenewalModel) {
  raftlab::testing::CheckProperty(1000, [](const std::vector<uint8_t>& steps) {
    const int64_t ttl_s = 5;
    Lessor l(kMinTtl);
    int64_t now = 0;
    bool primary = true;
    l.Promote(now, 0);
    const int64_t id = l.Grant(0, ttl_s, now).id;
    int64_t model_expiry = now + ttl_s * 1000;  // of the last renewal on this primary
    int64_t last_keepalive = now;
    for (uint8_t step : steps) {
      const int kind = step % 8;
      if (kind < 4) now += (step / 8) * 150;  // up to ~4.6 s per step
      if (kind == 4 && primary && now >= model_expiry) {
        RC_ASSERT(l.KeepAlive(id, now).ttl_seconds == 0);  // expired: never renewed
      } else if (kind == 4 && primary) {
        RC_ASSERT(l.KeepAlive(id, now).ttl_seconds == ttl_s);
        model_expiry = now + ttl_s * 1000;
        last_keepalive = now;
      }
      if (kind == 5 && primary) {
        l.Demote();
        primary = false;
      }
      if (kind == 6 && !primary) {
        const int64_t extend = (step / 8) * 100;
        l.Promote(now, extend);
        primary = true;
        model_expiry = now + extend + ttl_s * 1000;
      }
      const bool expired = !l.ExpiredLeases(now).empty();
      RC_ASSERT(expired == (primary && now >= model_expiry));
      if (expired) RC_ASSERT(now - last_keepalive >= ttl_s * 1000);
    }
  });
}

}  // namespace
}  // namespace raftlab::lease
