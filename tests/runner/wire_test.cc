// The runner's pure wire parts: URLs, peer handshakes and frames, and the
// checks every peer message passes before the core sees it (inbound.h).
#include <gtest/gtest.h>

#include "core/raft/codec.h"
#include "core/server/server.h"
#include "core/storage/recovery.h"
#include "runner/peer/frame.h"
#include "runner/peer/inbound.h"
#include "runner/url.h"

namespace raftlab::runner {
namespace {

TEST(Url, ParsesHttpHostPortAndRefusesTheRest) {
  Result<HostPort> ok = ParseUrl("http://127.0.0.1:2380/");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->host, "127.0.0.1");
  EXPECT_EQ(ok->port, 2380);
  EXPECT_FALSE(ParseUrl("https://127.0.0.1:2380").has_value());
  EXPECT_FALSE(ParseUrl("http://127.0.0.1").has_value());
  EXPECT_FALSE(ParseUrl("http://127.0.0.1:99999").has_value());
  EXPECT_FALSE(ParseUrl("http://127.0.0.1:2380/path").has_value());
}

TEST(Url, InitialClusterNumbersMembersInOrderAndRefusesDuplicates) {
  Result<std::vector<ClusterMember>> c =
      ParseInitialCluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2");
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[1].name, "b");
  const auto dup = ParseInitialCluster("a=http://127.0.0.1:1,a=http://127.0.0.1:2");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message.find("appears twice"), std::string::npos);
  EXPECT_FALSE(ParseInitialCluster("a").has_value());
  Result<std::vector<HostPort>> e = ParseEndpoints("127.0.0.1:2379,http://localhost:2381");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ((*e)[1].ToString(), "localhost:2381");
}

TEST(PeerFrame, HandshakeRoundTripsAndRefusesDamage) {
  const peer::Handshake h{0xabc, 2, 3};
  std::string bytes = peer::EncodeHandshake(h);
  ASSERT_EQ(bytes.size(), peer::kHandshakeBytes);
  Result<peer::Handshake> back = peer::DecodeHandshake(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  bytes[20] ^= 1;
  EXPECT_FALSE(peer::DecodeHandshake(bytes).has_value());
  std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  http.resize(peer::kHandshakeBytes, ' ');
  const auto refused = peer::DecodeHandshake(http);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("not a raftlab peer"), std::string::npos);
}

TEST(PeerFrame, DecodesFramesSplitAnywhere) {
  const std::string stream = peer::EncodeFrame(peer::FrameType::kMessage, "hello") +
                             peer::EncodeFrame(peer::FrameType::kSnapshotChunk, "") +
                             peer::EncodeFrame(peer::FrameType::kForwardRequest, "xyz");
  for (size_t step = 1; step <= stream.size(); ++step) {
    SCOPED_TRACE(step);
    peer::FrameDecoder d(1024);
    std::vector<peer::Frame> frames;
    for (size_t at = 0; at < stream.size(); at += step) {
      d.Feed(std::string_view(stream).substr(at, step));
      for (;;) {
        Result<std::optional<peer::Frame>> f = d.Next();
        ASSERT_TRUE(f.has_value()) << f.error().message;
        if (!f->has_value()) break;
        frames.push_back(std::move(**f));
      }
    }
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].payload, "hello");
    EXPECT_EQ(frames[1].type, peer::FrameType::kSnapshotChunk);
    EXPECT_EQ(frames[2].payload, "xyz");
  }
}

TEST(PeerFrame, RefusesOversizeCorruptAndUnknownFramesBeforeReadingThem) {
  peer::FrameDecoder big(4);
  big.Feed(peer::EncodeFrame(peer::FrameType::kMessage, "12345").substr(0, peer::kFrameHeaderBytes));
  const auto too_big = big.Next();
  ASSERT_FALSE(too_big.has_value());
  EXPECT_NE(too_big.error().message.find("exceed the limit"), std::string::npos);

  std::string bad = peer::EncodeFrame(peer::FrameType::kMessage, "abc");
  bad.back() ^= 1;
  peer::FrameDecoder crc(1024);
  crc.Feed(bad);
  EXPECT_FALSE(crc.Next().has_value());

  std::string unknown = peer::EncodeFrame(peer::FrameType::kMessage, "abc");
  unknown[4] = 9;
  peer::FrameDecoder type(1024);
  type.Feed(unknown);
  EXPECT_FALSE(type.Next().has_value());
}

raft::Message App(uint64_t from, uint64_t to) {
  raft::Message m;
  m.type = raft::MessageType::kApp;
  m.from = from;
  m.to = to;
  m.term = 2;
  m.index = 5;
  m.log_term = 1;
  raft::Entry e;
  e.term = 2;
  e.index = 6;
  e.data = "x";
  m.entries.push_back(e);
  return m;
}

TEST(Inbound, RefusesWhatTheCoreMustNeverSee) {
  const peer::InboundLimits limits;
  EXPECT_TRUE(peer::ValidatePeerMessage(App(2, 1), 1, 2, limits).has_value());
  raft::Message local = App(2, 1);
  local.type = raft::MessageType::kHup;
  EXPECT_FALSE(peer::ValidatePeerMessage(local, 1, 2, limits).has_value());
  EXPECT_FALSE(peer::ValidatePeerMessage(App(3, 1), 1, 2, limits).has_value());  // spoofed sender
  EXPECT_FALSE(peer::ValidatePeerMessage(App(2, 3), 1, 2, limits).has_value());  // not for us
  raft::Message huge = App(2, 1);
  huge.term = uint64_t{1} << 63;
  EXPECT_FALSE(peer::ValidatePeerMessage(huge, 1, 2, limits).has_value());
  raft::Message gap = App(2, 1);
  gap.entries[0].index = 9;
  EXPECT_FALSE(peer::ValidatePeerMessage(gap, 1, 2, limits).has_value());
  raft::Message future = App(2, 1);
  future.entries[0].term = 3;
  EXPECT_FALSE(peer::ValidatePeerMessage(future, 1, 2, limits).has_value());
}

// Found by tests/fuzz/fuzz_raft_step.cc (corpus/raft_step/vote-without-term):
// a vote request of term 0 made the core answer with a term-0 vote, which
// Raft::Send CHECKs against.
TEST(Inbound, RefusesATermWhereNoneBelongsAndNoTermWhereOneDoes) {
  const peer::InboundLimits limits;
  raft::Message vote;
  vote.type = raft::MessageType::kVote;
  vote.from = 2;
  vote.to = 1;
  EXPECT_FALSE(peer::ValidatePeerMessage(vote, 1, 2, limits).has_value());
  vote.term = 4;
  EXPECT_TRUE(peer::ValidatePeerMessage(vote, 1, 2, limits).has_value());
  raft::Message prop = App(2, 1);
  prop.type = raft::MessageType::kProp;
  prop.term = 0;
  prop.index = 0;
  prop.log_term = 0;
  EXPECT_TRUE(peer::ValidatePeerMessage(prop, 1, 2, limits).has_value());
  prop.term = 2;  // forwarded proposals carry no term
  EXPECT_FALSE(peer::ValidatePeerMessage(prop, 1, 2, limits).has_value());
  prop.term = 0;
  prop.entries.clear();  // nor may they be empty (the leader CHECKs)
  EXPECT_FALSE(peer::ValidatePeerMessage(prop, 1, 2, limits).has_value());
  // A connection claiming to come from this member itself.
  EXPECT_FALSE(peer::ValidatePeerMessage(App(1, 1), 1, 1, limits).has_value());
}

TEST(Inbound, AssemblesASnapshotFromChunksAndChecksItsState) {
  // A real server's state, sent as two chunks and the MsgSnap.
  server::ServerConfig sc;
  sc.id = 2;
  raft::ConfState cs;
  cs.voters = {1, 2};
  Prng prng(1);
  server::Server s(sc, &prng, storage::Recovered{}, cs, 0);
  raft::Message snap;
  snap.type = raft::MessageType::kSnap;
  snap.from = 2;
  snap.to = 1;
  snap.term = 3;
  snap.snapshot = raft::Snapshot{"", {cs, s.consistent_index(), 3}};
  const std::string state = s.EncodeState();
  peer::Inbound in(1, 2, peer::InboundLimits{});
  const size_t half = state.size() / 2;
  ASSERT_TRUE(in.Take({peer::FrameType::kSnapshotChunk, state.substr(0, half)}).has_value());
  ASSERT_TRUE(in.Take({peer::FrameType::kSnapshotChunk, state.substr(half)}).has_value());
  Result<peer::Delivery> d = in.Take({peer::FrameType::kMessage, raft::EncodeMessage(snap)});
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_TRUE(d->message.has_value());
  EXPECT_EQ(d->message->snapshot->data, state);

  // A state that does not decode is refused, not handed to the core.
  peer::Inbound bad(1, 2, peer::InboundLimits{});
  ASSERT_TRUE(bad.Take({peer::FrameType::kSnapshotChunk, "not a state"}).has_value());
  EXPECT_FALSE(bad.Take({peer::FrameType::kMessage, raft::EncodeMessage(snap)}).has_value());

  // And a state of another index than its snapshot's (found by
  // fuzz_raft_step: the core CHECKs that they agree when it restores).
  raft::Message elsewhere = snap;
  elsewhere.snapshot->metadata.index += 9;
  peer::Inbound shifted(1, 2, peer::InboundLimits{});
  ASSERT_TRUE(shifted.Take({peer::FrameType::kSnapshotChunk, state}).has_value());
  Result<peer::Delivery> refused =
      shifted.Take({peer::FrameType::kMessage, raft::EncodeMessage(elsewhere)});
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("snapshot state of index"), std::string::npos);

  // So is a snapshot larger than the limit.
  peer::InboundLimits small;
  small.max_snapshot_bytes = 4;
  peer::Inbound capped(1, 2, small);
  EXPECT_FALSE(capped.Take({peer::FrameType::kSnapshotChunk, "12345"}).has_value());
}

TEST(Inbound, RefusesBytesThatAreNoMessage) {
  peer::Inbound in(1, 2, peer::InboundLimits{});
  EXPECT_FALSE(in.Take({peer::FrameType::kMessage, "\xff\xff\xff"}).has_value());
  EXPECT_FALSE(in.Take({peer::FrameType::kForwardRequest, "\xff\xff\xff"}).has_value());
}

}  // namespace
}  // namespace raftlab::runner
