// CRC-32C against the published check value and the RFC 3720 (iSCSI) vectors.
#include "core/base/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace raftlab::crc32c {
namespace {

TEST(Crc32c, CheckValue) { EXPECT_EQ(Value("123456789"), 0xE3069283u); }

TEST(Crc32c, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Value(zeros), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(Value(ones), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(descending), 0x113FDB5Cu);
}

TEST(Crc32c, ExtendEqualsValueOfConcatenationAtEverySplit) {
  const std::string data = "The quick brown fox jumps over the lazy dog, twice over.";
  const uint32_t whole = Value(data);
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    const uint32_t head = Extend(0, data.data(), cut);
    EXPECT_EQ(Extend(head, data.data() + cut, data.size() - cut), whole) << cut;
  }
}

TEST(Crc32c, EveryFlippedBitChangesTheValue) {
  std::string data = "raftlab wal record payload";
  const uint32_t clean = Value(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string flipped = data;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Value(flipped), clean) << "bit " << i;
  }
}

}  // namespace
}  // namespace raftlab::crc32c
