#include "core/mvcc/envelope.h"

#include <cstdint>

#include "core/base/check.h"
#include "core/base/crc32c.h"

namespace raftlab::mvcc {
namespace {

constexpr size_t kHeaderBytes = 4 + 4 + 8;

void AppendLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadLittleEndian(std::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  }
  return value;
}

}  // namespace

std::string SealEnvelope(std::string_view magic, std::string_view payload) {
  CHECK_EQ(magic.size(), 4u);
  std::string out(magic);
  AppendLittleEndian(&out, crc32c::Value(payload), 4);
  AppendLittleEndian(&out, payload.size(), 8);
  out.append(payload);
  CHECK_EQ(out.size(), kHeaderBytes + payload.size());
  return out;
}

Result<std::string_view> OpenEnvelope(std::string_view magic, std::string_view bytes) {
  CHECK_EQ(magic.size(), 4u);
  if (bytes.size() < kHeaderBytes) {
    return MakeError(ErrorCode::kCorruption, "envelope: " + std::to_string(bytes.size()) +
                                                 " bytes, shorter than the header");
  }
  if (bytes.substr(0, 4) != magic) {
    return MakeError(ErrorCode::kCorruption, "envelope: bad magic, want " + std::string(magic));
  }
  const uint32_t crc = static_cast<uint32_t>(ReadLittleEndian(bytes.substr(4, 4), 4));
  const uint64_t length = ReadLittleEndian(bytes.substr(8, 8), 8);
  if (length != bytes.size() - kHeaderBytes) {
    return MakeError(ErrorCode::kCorruption,
                     "envelope: payload length " + std::to_string(length) + " but " +
                         std::to_string(bytes.size() - kHeaderBytes) + " bytes follow");
  }
  std::string_view payload = bytes.substr(kHeaderBytes);
  if (crc32c::Value(payload) != crc) {
    return MakeError(ErrorCode::kCorruption, "envelope: payload checksum mismatch");
  }
  return payload;
}

}  // namespace raftlab::mvcc
