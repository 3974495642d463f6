// ReadOnly: pending ReadIndex requests keyed by a leader-owned sequence.
// An acknowledgement of sequence s proves the follower still followed the
// leader after every request with sequence <= s was registered; so an ack of
// a later sequence releases earlier requests, and an ack from an earlier
// round never confirms a later request (etcd-io/etcd#20418).
#include "core/raft/read_only.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

Message ReadRequest(const std::string& ctx) {
  Message m = MakeMsg(kNone, kNone, MessageType::kReadIndex);
  m.entries.push_back(MakeEntry(0, 0, ctx));
  return m;
}

JointConfig Majority(std::set<NodeId> ids) { return JointConfig{MajorityConfig(ids), {}}; }

std::vector<std::string> Contexts(const std::vector<ReadIndexRequest>& released) {
  std::vector<std::string> out;
  for (const ReadIndexRequest& r : released) out.push_back(r.request.entries[0].data);
  return out;
}

TEST(ReadOnly, SequencesIncrease) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  EXPECT_EQ(ro.LastPendingSeq(), std::nullopt);
  const uint64_t a = ro.AddRequest(5, ReadRequest("a"), 0);
  const uint64_t b = ro.AddRequest(5, ReadRequest("a"), 0);  // a retry: a new sequence
  EXPECT_LT(a, b);
  EXPECT_EQ(ro.LastPendingSeq(), b);
  EXPECT_EQ(ro.PendingCount(), 2u);
}

TEST(ReadOnly, LaterAckReleasesEarlierRequests) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  const uint64_t a = ro.AddRequest(5, ReadRequest("a"), 0);
  const uint64_t b = ro.AddRequest(6, ReadRequest("b"), 0);
  ASSERT_LT(a, b);
  ro.RecvAck(1, b);  // the leader itself
  EXPECT_TRUE(ro.Advance(Majority({1, 2, 3})).empty());
  ro.RecvAck(2, b);
  const std::vector<ReadIndexRequest> released = ro.Advance(Majority({1, 2, 3}));
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(Contexts(released), (std::vector<std::string>{"a", "b"}));  // oldest first
  EXPECT_EQ(released[0].index, 5u);
  EXPECT_EQ(released[1].index, 6u);
  EXPECT_EQ(ro.PendingCount(), 0u);
}

TEST(ReadOnly, EarlierRoundAckNeverConfirmsLaterRequest) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  const uint64_t first = ro.AddRequest(5, ReadRequest("x"), 0);
  ro.RecvAck(1, first);
  ro.RecvAck(2, first);
  EXPECT_EQ(Contexts(ro.Advance(Majority({1, 2, 3}))), (std::vector<std::string>{"x"}));
  // The same client context again: acks of the first round must not count.
  const uint64_t second = ro.AddRequest(7, ReadRequest("x"), 0);
  ro.RecvAck(1, second);
  EXPECT_TRUE(ro.Advance(Majority({1, 2, 3})).empty());
  ro.RecvAck(3, first);  // a late ack from the earlier round
  ro.RecvAck(2, first);  // a duplicate
  EXPECT_TRUE(ro.Advance(Majority({1, 2, 3})).empty());
  ro.RecvAck(3, second);
  const std::vector<ReadIndexRequest> released = ro.Advance(Majority({1, 2, 3}));
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].index, 7u);
  EXPECT_EQ(released[0].seq, second);
}

TEST(ReadOnly, AckOfEarlierSequenceReleasesOnlyUpToIt) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  const uint64_t a = ro.AddRequest(5, ReadRequest("a"), 0);
  const uint64_t b = ro.AddRequest(6, ReadRequest("b"), 0);
  ro.RecvAck(1, b);
  ro.RecvAck(2, a);
  EXPECT_EQ(Contexts(ro.Advance(Majority({1, 2, 3}))), (std::vector<std::string>{"a"}));
  EXPECT_EQ(ro.LastPendingSeq(), b);
  // Acks never go backwards: a stale ack after a newer one is ignored.
  ro.RecvAck(3, b);
  ro.RecvAck(3, a);
  EXPECT_EQ(Contexts(ro.Advance(Majority({1, 2, 3}))), (std::vector<std::string>{"b"}));
}

TEST(ReadOnly, JointConfigNeedsBothMajorities) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  const uint64_t a = ro.AddRequest(5, ReadRequest("a"), 0);
  const JointConfig joint{MajorityConfig({1, 2, 3}), MajorityConfig({1, 4, 5})};
  ro.RecvAck(1, a);
  ro.RecvAck(2, a);
  EXPECT_TRUE(ro.Advance(joint).empty());  // incoming has a majority, outgoing not
  ro.RecvAck(4, a);
  EXPECT_EQ(ro.Advance(joint).size(), 1u);
}

TEST(ReadOnly, ResetDropsRequestsButNeverReusesSequences) {
  ReadOnly ro(ReadOnlyOption::kSafe);
  const uint64_t a = ro.AddRequest(5, ReadRequest("a"), 0);
  ro.RecvAck(1, a);
  ro.RecvAck(2, a);
  ro.Reset();
  EXPECT_EQ(ro.PendingCount(), 0u);
  const uint64_t b = ro.AddRequest(6, ReadRequest("b"), 0);
  EXPECT_GT(b, a);
  // The acks of before the reset are gone.
  EXPECT_TRUE(ro.Advance(Majority({1, 2, 3})).empty());
}

// The same at the Raft level (etcd-io/etcd#20418): a client retries a read
// with the same context; the heartbeat answers of the first round arrive
// late. They release the first request only; the retry waits for its own.
TEST(ReadOnly, RaftRetriedReadWaitsForItsOwnRound) {
  sim::RaftNetwork net(9, nullptr);
  for (NodeId id : IdsBySize(3)) {
    net.AddNode(id, sim::RaftNodeOptions{}, ConfSnapshot(1, 1, {1, 2, 3}));
  }
  net.node(1).raw->Campaign();
  ASSERT_TRUE(net.Stabilize());
  const uint64_t commit = net.node(1).raw->raft().raft_log().committed();
  const auto all = [](const Message&) { return true; };
  net.node(1).raw->ReadIndex("ctx");
  while (net.ProcessReady(1)) {
  }
  net.DeliverTo(2);
  net.DeliverTo(3);
  while (net.ProcessReady(2) || net.ProcessReady(3)) {
  }
  std::vector<Message> first_round = net.Take(all);  // the answers are late
  ASSERT_EQ(first_round.size(), 2u);
  net.node(1).raw->ReadIndex("ctx");  // the retry
  while (net.ProcessReady(1)) {
  }
  std::vector<Message> second_round = net.Take(all);  // held back too
  for (const Message& m : first_round) net.Deliver(m);
  while (net.ProcessReady(1)) {
  }
  ASSERT_EQ(net.node(1).read_states.size(), 1u);  // only the first request
  EXPECT_EQ(net.node(1).read_states[0].index, commit);
  EXPECT_EQ(net.node(1).read_states[0].request_ctx, "ctx");
  for (const Message& m : second_round) net.Deliver(m);
  ASSERT_TRUE(net.Stabilize());
  ASSERT_EQ(net.node(1).read_states.size(), 2u);  // now the retry
  EXPECT_EQ(net.node(1).read_states[1].request_ctx, "ctx");
  EXPECT_TRUE(net.CheckInvariants().empty());
}

TEST(ReadOnly, SequenceEncoding) {
  for (uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                       uint64_t{0x0102030405060708}, ~uint64_t{0}}) {
    SCOPED_TRACE(seq);
    const std::string enc = ReadOnly::EncodeSeq(seq);
    EXPECT_EQ(enc.size(), 8u);
    EXPECT_EQ(ReadOnly::DecodeSeq(enc), seq);
  }
  EXPECT_EQ(ReadOnly::DecodeSeq(""), std::nullopt);
  EXPECT_EQ(ReadOnly::DecodeSeq("1234567"), std::nullopt);
  EXPECT_EQ(ReadOnly::DecodeSeq("123456789"), std::nullopt);
  // Encoding preserves order for the heartbeat comparison.
  EXPECT_LT(ReadOnly::EncodeSeq(255), ReadOnly::EncodeSeq(256));
}

}  // namespace
}  // namespace raftlab::raft
