// Codec: core values <-> protobuf. Everything encoded decodes to the same
// value; arbitrary bytes either decode or come back as an error, never a
// crash; and whatever decodes re-encodes to the same value.
#include "core/raft/codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "tests/core/raft/raft_test_util.h"

namespace raftlab::raft {
namespace {

std::string ArbitraryBytes(int max_len = 64) {
  const int len = *rc::gen::inRange(0, max_len + 1);
  return *rc::gen::container<std::string>(static_cast<size_t>(len), rc::gen::arbitrary<char>());
}

uint64_t ArbitraryU64() {
  // Mostly small values (varint boundaries matter) with some full-width ones.
  return *rc::gen::oneOf(rc::gen::inRange<uint64_t>(0, 300), rc::gen::arbitrary<uint64_t>());
}

std::vector<NodeId> ArbitraryIds() {
  const int n = *rc::gen::inRange(0, 5);
  std::vector<NodeId> ids;
  for (int i = 0; i < n; ++i) ids.push_back(ArbitraryU64());
  return ids;
}

Entry ArbitraryEntry() {
  Entry e;
  e.term = ArbitraryU64();
  e.index = ArbitraryU64();
  e.type = static_cast<EntryType>(*rc::gen::inRange(0, 3));
  e.data = ArbitraryBytes();
  return e;
}

Snapshot ArbitrarySnapshot() {
  Snapshot s;
  s.data = ArbitraryBytes();
  s.metadata.index = ArbitraryU64();
  s.metadata.term = ArbitraryU64();
  s.metadata.conf_state.voters = ArbitraryIds();
  s.metadata.conf_state.learners = ArbitraryIds();
  s.metadata.conf_state.voters_outgoing = ArbitraryIds();
  s.metadata.conf_state.learners_next = ArbitraryIds();
  s.metadata.conf_state.auto_leave = *rc::gen::arbitrary<bool>();
  return s;
}

Message ArbitraryMessage() {
  Message m;
  m.type = static_cast<MessageType>(*rc::gen::inRange(0, 19));
  m.to = ArbitraryU64();
  m.from = ArbitraryU64();
  m.term = ArbitraryU64();
  m.log_term = ArbitraryU64();
  m.index = ArbitraryU64();
  const int n = *rc::gen::inRange(0, 4);
  for (int i = 0; i < n; ++i) m.entries.push_back(ArbitraryEntry());
  m.commit = ArbitraryU64();
  if (*rc::gen::arbitrary<bool>()) m.snapshot = ArbitrarySnapshot();
  m.reject = *rc::gen::arbitrary<bool>();
  m.reject_hint = ArbitraryU64();
  m.context = ArbitraryBytes();
  return m;
}

ConfChangeV2 ArbitraryConfChangeV2() {
  ConfChangeV2 cc;
  cc.transition = static_cast<ConfChangeTransition>(*rc::gen::inRange(0, 3));
  const int n = *rc::gen::inRange(0, 5);
  for (int i = 0; i < n; ++i) {
    cc.changes.push_back(
        ConfChangeSingle{static_cast<ConfChangeType>(*rc::gen::inRange(0, 4)), ArbitraryU64()});
  }
  cc.context = ArbitraryBytes();
  return cc;
}

RC_GTEST_PROP(Codec, EntryRoundTrip, ()) {
  const Entry e = ArbitraryEntry();
  Result<Entry> back = FromProto(ToProto(e));
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == e);
}

RC_GTEST_PROP(Codec, MessageRoundTrip, ()) {
  const Message m = ArbitraryMessage();
  Result<Message> via_proto = FromProto(ToProto(m));
  RC_ASSERT(via_proto.has_value());
  RC_ASSERT(*via_proto == m);
  Result<Message> via_bytes = DecodeMessage(EncodeMessage(m));
  RC_ASSERT(via_bytes.has_value());
  RC_ASSERT(*via_bytes == m);
}

RC_GTEST_PROP(Codec, SnapshotHardStateConfStateRoundTrip, ()) {
  const Snapshot s = ArbitrarySnapshot();
  Result<Snapshot> back = FromProto(ToProto(s));
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == s);
  RC_ASSERT(FromProto(ToProto(s.metadata.conf_state)) == s.metadata.conf_state);
  const HardState hs{ArbitraryU64(), ArbitraryU64(), ArbitraryU64()};
  RC_ASSERT(FromProto(ToProto(hs)) == hs);
}

RC_GTEST_PROP(Codec, ConfChangeV2RoundTrip, ()) {
  const ConfChangeV2 cc = ArbitraryConfChangeV2();
  const Entry e{1, 1, EntryType::kConfChangeV2, EncodeConfChangeV2(cc)};
  Result<ConfChangeV2> back = DecodeConfChange(e);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == cc);
}

RC_GTEST_PROP(Codec, ConfChangeV1RoundTripAndWidening, ()) {
  ConfChange cc;
  cc.type = static_cast<ConfChangeType>(*rc::gen::inRange(0, 4));
  cc.node_id = ArbitraryU64();
  cc.context = ArbitraryBytes();
  cc.id = ArbitraryU64();
  const std::string data = EncodeConfChange(cc);
  Result<ConfChange> v1 = DecodeConfChangeV1(data);
  RC_ASSERT(v1.has_value());
  RC_ASSERT(*v1 == cc);
  Result<ConfChangeV2> v2 = DecodeConfChange(Entry{1, 1, EntryType::kConfChange, data});
  RC_ASSERT(v2.has_value());
  RC_ASSERT(*v2 == cc.AsV2());
}

// Arbitrary bytes: an error or a value, never a crash; a decoded value
// survives a second round trip unchanged.
RC_GTEST_PROP(Codec, RandomBytesDecodeOrFail, ()) {
  const std::string bytes = ArbitraryBytes(200);
  Result<Message> m = DecodeMessage(bytes);
  if (m.has_value()) {
    Result<Message> again = DecodeMessage(EncodeMessage(*m));
    RC_ASSERT(again.has_value());
    RC_ASSERT(*again == *m);
  } else {
    RC_ASSERT(m.error().code == ErrorCode::kCorruption);
  }
  for (EntryType type : {EntryType::kConfChange, EntryType::kConfChangeV2}) {
    Result<ConfChangeV2> cc = DecodeConfChange(Entry{1, 1, type, bytes});
    if (!cc.has_value()) RC_ASSERT(cc.error().code == ErrorCode::kCorruption);
  }
}

// A valid encoding with bytes flipped, cut or extended: decode or fail.
RC_GTEST_PROP(Codec, MutatedEncodingDecodeOrFail, ()) {
  std::string bytes = EncodeMessage(ArbitraryMessage());
  const int mutations = *rc::gen::inRange(1, 5);
  for (int i = 0; i < mutations; ++i) {
    const int kind = *rc::gen::inRange(0, 3);
    if (kind == 0 && !bytes.empty()) {
      const size_t at = *rc::gen::inRange<size_t>(0, bytes.size());
      bytes[at] = *rc::gen::arbitrary<char>();
    } else if (kind == 1 && !bytes.empty()) {
      bytes.resize(*rc::gen::inRange<size_t>(0, bytes.size()));
    } else {
      bytes += ArbitraryBytes(8);
    }
  }
  Result<Message> m = DecodeMessage(bytes);
  if (m.has_value()) {
    Result<Message> again = DecodeMessage(EncodeMessage(*m));
    RC_ASSERT(again.has_value());
    RC_ASSERT(*again == *m);
  }
}

TEST(Codec, UnknownEnumValuesAreErrors) {
  raftpb::Message p;
  p.set_type(static_cast<raftpb::MessageType>(99));
  EXPECT_FALSE(FromProto(p).has_value());
  raftpb::Entry e;
  e.set_type(static_cast<raftpb::EntryType>(7));
  EXPECT_FALSE(FromProto(e).has_value());
  raftpb::ConfChangeV2 cc;
  cc.add_changes()->set_type(static_cast<raftpb::ConfChangeType>(9));
  EXPECT_FALSE(
      DecodeConfChange(Entry{1, 1, EntryType::kConfChangeV2, cc.SerializeAsString()}).has_value());
  raftpb::ConfChangeV2 transition;
  transition.set_transition(static_cast<raftpb::ConfChangeTransition>(5));
  EXPECT_FALSE(
      DecodeConfChange(Entry{1, 1, EntryType::kConfChangeV2, transition.SerializeAsString()})
          .has_value());
}

TEST(Codec, EmptyBytesDecodeToDefaultMessage) {
  Result<Message> m = DecodeMessage("");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, Message{});
}

}  // namespace
}  // namespace raftlab::raft
