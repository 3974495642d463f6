#include "core/storage/record.h"

#include "core/base/check.h"
#include "core/base/crc32c.h"

namespace raftlab::storage {

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t GetU32(std::string_view in, size_t offset) {
  CHECK_LE(offset + 4, in.size());
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[offset + i]);
  return v;
}

uint64_t GetU64(std::string_view in, size_t offset) {
  CHECK_LE(offset + 8, in.size());
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[offset + i]);
  return v;
}

namespace {

uint32_t HeaderCrc(uint32_t length, uint8_t type) {
  std::string h;
  PutU32(&h, length);
  h.push_back(static_cast<char>(type));
  return crc32c::Value(h);
}

uint32_t DataCrc(uint32_t prev, uint8_t type, std::string_view payload) {
  const char t = static_cast<char>(type);
  const uint32_t with_type = crc32c::Extend(prev, &t, 1);
  return crc32c::Extend(with_type, payload.data(), payload.size());
}

bool KnownType(uint8_t t) { return t >= 1 && t <= 5; }

}  // namespace

uint32_t EncodeRecord(RecordType type, std::string_view payload, uint32_t prev_crc,
                      std::string* out) {
  CHECK_LE(payload.size(), kMaxRecordBytes);
  const uint32_t length = static_cast<uint32_t>(payload.size());
  const uint8_t t = static_cast<uint8_t>(type);
  const uint32_t crc = DataCrc(prev_crc, t, payload);
  PutU32(out, length);
  out->push_back(static_cast<char>(t));
  PutU32(out, HeaderCrc(length, t));
  PutU32(out, crc);
  out->append(payload);
  return crc;
}

DecodeResult DecodeRecord(std::string_view bytes, size_t offset, uint32_t prev_crc) {
  DecodeResult r;
  if (bytes.size() - offset < kRecordHeaderBytes) {
    r.status = DecodeStatus::kIncomplete;
    return r;
  }
  const uint32_t length = GetU32(bytes, offset);
  const uint8_t type = static_cast<uint8_t>(bytes[offset + 4]);
  if (GetU32(bytes, offset + 5) != HeaderCrc(length, type)) {
    r.status = DecodeStatus::kCorrupt;
    r.why = "record header checksum mismatch";
    return r;
  }
  if (!KnownType(type) || length > kMaxRecordBytes) {
    r.status = DecodeStatus::kCorrupt;
    r.why = "record header names an unknown type or an impossible length";
    return r;
  }
  if (bytes.size() - offset - kRecordHeaderBytes < length) {
    r.status = DecodeStatus::kIncomplete;
    return r;
  }
  const std::string_view payload = bytes.substr(offset + kRecordHeaderBytes, length);
  const uint32_t crc = DataCrc(prev_crc, type, payload);
  if (crc != GetU32(bytes, offset + 9)) {
    r.status = DecodeStatus::kCorrupt;
    r.why = "record data checksum mismatch (chained crc)";
    return r;
  }
  r.record.type = static_cast<RecordType>(type);
  r.record.payload = std::string(payload);
  r.next_offset = offset + kRecordHeaderBytes + length;
  r.crc = crc;
  return r;
}

}  // namespace raftlab::storage
