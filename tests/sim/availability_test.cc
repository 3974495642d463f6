// AvailabilityMonitor on hand-built probes: each property fires on the
// episode that breaks it and stays quiet on the legitimate look-alikes
// (a fault in between, a higher term held before the leader settled,
// writes sent only to members outside the leader's group).
#include "sim/availability.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace raftlab::sim {
namespace {

constexpr TimeNs kMs = kMillisecond;

AvailabilityMonitor::Options TestOptions() {
  AvailabilityMonitor::Options o;
  o.bound = 8000 * kMs;
  o.stay = true;
  o.arm_delay = 500 * kMs;
  o.serve_bound = 4000 * kMs;
  return o;
}

// Three members, all healthy; n1 leads term 5. `cut` members reach nobody.
struct Cluster {
  std::vector<raft::NodeId> cut;
  ClusterProbe probe;
  Cluster() {
    probe.healthy = {1, 2, 3};
    probe.leader = 1;
    probe.leader_term = 5;
    probe.voters = {1, 2, 3};
    probe.leader_settled = true;
    probe.terms = {5, 5, 5};
    probe.writes_invoked = {0, 0, 0};
  }
  std::vector<std::string> At(AvailabilityMonitor& m, TimeNs now) {
    probe.now = now;
    const auto connected = [this](raft::NodeId a, raft::NodeId b) {
      for (raft::NodeId c : cut) {
        if (a == c || b == c) return false;
      }
      return true;
    };
    return m.Probe(probe, connected);
  }
};

bool Mentions(const std::vector<std::string>& found, const std::string& what) {
  for (const std::string& f : found) {
    if (f.find(what) != std::string::npos) return true;
  }
  return false;
}

TEST(AvailabilityStay, TermRiseUnderASteadyLeaderIsAFinding) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  c.cut = {3};  // n3 is cut off; n1 and n2 are the steady majority
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) EXPECT_TRUE(c.At(m, t).empty());
  c.probe.terms[2] = 6;  // the cut-off member campaigned
  const std::vector<std::string> found = c.At(m, 700 * kMs);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(Mentions(found, "term rose while a steady leader")) << found[0];
  EXPECT_TRUE(Mentions(found, "n3 reached term 6")) << found[0];
  EXPECT_TRUE(c.At(m, 800 * kMs).empty()) << "reported once per episode";
}

TEST(AvailabilityStay, LeaderDeposedBetweenProbesIsStillAFinding) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) c.At(m, t);
  c.probe.leader = 2;
  c.probe.leader_term = 6;
  c.probe.terms = {6, 6, 6};
  EXPECT_TRUE(Mentions(c.At(m, 700 * kMs), "term rose while a steady leader"));
}

TEST(AvailabilityStay, NotJudgedRightAfterAFault) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) c.At(m, t);
  c.probe.fault_changes = 1;  // e.g. a transfer: the new term is legitimate
  c.probe.terms = {6, 6, 6};
  c.probe.leader = 2;
  c.probe.leader_term = 6;
  EXPECT_TRUE(c.At(m, 700 * kMs).empty());
  // Nor before the new leader has been steady for the arm delay.
  c.probe.terms[2] = 7;
  EXPECT_TRUE(c.At(m, 800 * kMs).empty());
}

TEST(AvailabilityStay, NotArmedWhenAHigherTermIsAlreadyHeld) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  c.cut = {3};
  c.probe.terms[2] = 6;  // a candidate cut off mid-election, before n1 settled
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) EXPECT_TRUE(c.At(m, t).empty());
  c.probe.terms[2] = 7;
  EXPECT_TRUE(c.At(m, 700 * kMs).empty());
}

TEST(AvailabilityStay, NotJudgedWhileTheLeaderIsUnsettled) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  c.probe.leader_settled = false;  // e.g. handing leadership on after its removal
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) c.At(m, t);
  c.probe.terms[1] = 6;
  EXPECT_TRUE(c.At(m, 700 * kMs).empty());
}

TEST(AvailabilityStay, OffWithoutPreVoteAndCheckQuorum) {
  AvailabilityMonitor::Options o = TestOptions();
  o.stay = false;
  AvailabilityMonitor m(3, o);
  Cluster c;
  for (TimeNs t = 0; t <= 600 * kMs; t += 100 * kMs) c.At(m, t);
  c.probe.terms[2] = 6;
  EXPECT_TRUE(c.At(m, 700 * kMs).empty());
}

TEST(AvailabilityServe, NoWriteAcknowledgedBySteadyLeaderIsAFinding) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  for (TimeNs t = 0; t <= 4000 * kMs; t += 100 * kMs) {
    c.probe.writes_invoked[1] = static_cast<uint64_t>(t / (100 * kMs));  // sent to n2
    const std::vector<std::string> found = c.At(m, t);
    if (t < 4000 * kMs) {
      EXPECT_TRUE(found.empty()) << t;
    } else {
      EXPECT_TRUE(Mentions(found, "steady leader acknowledged no client write")) << t;
    }
  }
}

TEST(AvailabilityServe, QuietWhenAWriteIsAcknowledgedOrNoneReachedTheGroup) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  c.cut = {3};
  for (TimeNs t = 0; t <= 5000 * kMs; t += 100 * kMs) {
    c.probe.writes_invoked[2] += 1;  // only to the cut-off member
    EXPECT_TRUE(c.At(m, t).empty()) << t;
  }
  AvailabilityMonitor m2(3, TestOptions());
  Cluster d;
  for (TimeNs t = 0; t <= 5000 * kMs; t += 100 * kMs) {
    d.probe.writes_invoked[0] += 1;
    if (t == 3000 * kMs) d.probe.writes_ok = 1;
    EXPECT_TRUE(d.At(m2, t).empty()) << t;
  }
}

TEST(AvailabilityElect, LeaderlessHealthyMajorityIsAFinding) {
  AvailabilityMonitor m(3, TestOptions());
  Cluster c;
  c.probe.leader = 0;
  c.probe.voters.clear();
  for (TimeNs t = 0; t < 8000 * kMs; t += 100 * kMs) EXPECT_TRUE(c.At(m, t).empty());
  EXPECT_TRUE(Mentions(c.At(m, 8000 * kMs), "had no leader for 8s"));
}

}  // namespace
}  // namespace raftlab::sim
