// WAL record framing: round trips, chaining, and what decoding reports for
// cut and damaged bytes.
#include "core/storage/record.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace raftlab::storage {
namespace {

RC_GTEST_PROP(Record, EncodeDecodeRoundTripsAChain, (const std::vector<std::string>& payloads)) {
  std::string bytes;
  uint32_t crc = 7;
  std::vector<uint32_t> chain;
  for (size_t i = 0; i < payloads.size(); ++i) {
    const auto type = i % 2 == 0 ? RecordType::kEntry : RecordType::kHardState;
    crc = EncodeRecord(type, payloads[i], crc, &bytes);
    chain.push_back(crc);
  }
  size_t offset = 0;
  uint32_t prev = 7;
  for (size_t i = 0; i < payloads.size(); ++i) {
    DecodeResult d = DecodeRecord(bytes, offset, prev);
    RC_ASSERT(d.status == DecodeStatus::kOk);
    RC_ASSERT(d.record.payload == payloads[i]);
    RC_ASSERT(d.crc == chain[i]);
    prev = d.crc;
    offset = d.next_offset;
  }
  RC_ASSERT(offset == bytes.size());
}

TEST(Record, HeaderIsThirteenBytesLittleEndian) {
  std::string bytes;
  EncodeRecord(RecordType::kEntry, "abc", 0, &bytes);
  ASSERT_EQ(bytes.size(), kRecordHeaderBytes + 3);
  EXPECT_EQ(bytes[0], 3);  // length, low byte first
  EXPECT_EQ(bytes[1], 0);
  EXPECT_EQ(bytes[4], static_cast<char>(RecordType::kEntry));
  EXPECT_EQ(bytes.substr(13), "abc");
}

TEST(Record, EveryCutInsideARecordIsIncomplete) {
  std::string bytes;
  EncodeRecord(RecordType::kEntry, "payload-bytes", 0, &bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    DecodeResult d = DecodeRecord(std::string_view(bytes).substr(0, cut), 0, 0);
    EXPECT_EQ(d.status, DecodeStatus::kIncomplete) << "cut at " << cut;
  }
}

TEST(Record, EveryFlippedBitIsCorruptionNeverIncompleteOrOk) {
  std::string clean;
  EncodeRecord(RecordType::kEntry, "some payload", 0, &clean);
  for (size_t bit = 0; bit < clean.size() * 8; ++bit) {
    std::string bytes = clean;
    bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
    DecodeResult d = DecodeRecord(bytes, 0, 0);
    EXPECT_EQ(d.status, DecodeStatus::kCorrupt) << "bit " << bit;
  }
}

TEST(Record, AnIntactRecordOutOfPlaceBreaksTheChain) {
  std::string a;
  std::string b;
  const uint32_t after_a = EncodeRecord(RecordType::kEntry, "first", 0, &a);
  EncodeRecord(RecordType::kEntry, "second", after_a, &b);
  // "second" decoded as if it were the first record: the chain does not match.
  EXPECT_EQ(DecodeRecord(b, 0, 0).status, DecodeStatus::kCorrupt);
  EXPECT_EQ(DecodeRecord(b, 0, after_a).status, DecodeStatus::kOk);
}

}  // namespace
}  // namespace raftlab::storage
