#include "runner/peer/frame.h"

#include <fmt/format.h>

#include "core/base/crc32c.h"
#include "core/storage/record.h"

namespace raftlab::runner::peer {
namespace {

tl::unexpected<Error> Corrupt(const std::string& what) {
  return MakeError(ErrorCode::kCorruption, what);
}

bool KnownType(uint8_t t) { return t >= 1 && t <= 4; }

}  // namespace

std::string EncodeHandshake(const Handshake& h) {
  std::string out(kMagic);
  storage::PutU64(&out, h.cluster_id);
  storage::PutU64(&out, h.from);
  storage::PutU64(&out, h.to);
  storage::PutU32(&out, crc32c::Value(out));
  return out;
}

Result<Handshake> DecodeHandshake(std::string_view bytes) {
  if (bytes.size() != kHandshakeBytes) {
    return Corrupt(fmt::format("handshake: expected {} bytes, got {}", kHandshakeBytes,
                               bytes.size()));
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("handshake: expected the magic \"RLPEER01\" (not a raftlab peer)");
  }
  if (storage::GetU32(bytes, 32) != crc32c::Value(bytes.substr(0, 32))) {
    return Corrupt("handshake: checksum mismatch");
  }
  Handshake h;
  h.cluster_id = storage::GetU64(bytes, 8);
  h.from = storage::GetU64(bytes, 16);
  h.to = storage::GetU64(bytes, 24);
  return h;
}

std::string EncodeFrame(FrameType type, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  storage::PutU32(&out, static_cast<uint32_t>(payload.size()));
  const auto t = static_cast<uint8_t>(type);
  out.push_back(static_cast<char>(t));
  const uint32_t crc = crc32c::Extend(crc32c::Extend(0, &t, 1), payload.data(), payload.size());
  storage::PutU32(&out, crc);
  out.append(payload);
  return out;
}

Result<std::optional<Frame>> FrameDecoder::Next() {
  const std::string_view rest = std::string_view(buffer_).substr(start_);
  if (rest.size() < kFrameHeaderBytes) return std::optional<Frame>();
  const uint32_t length = storage::GetU32(rest, 0);
  const auto type = static_cast<uint8_t>(rest[4]);
  if (!KnownType(type)) {
    return Corrupt(fmt::format("frame at stream offset {}: unknown type {}", offset_, type));
  }
  if (length > max_payload_bytes_) {
    return Corrupt(fmt::format("frame at stream offset {}: {} bytes exceed the limit of {}",
                               offset_, length, max_payload_bytes_));
  }
  if (rest.size() < kFrameHeaderBytes + length) return std::optional<Frame>();
  const std::string_view payload = rest.substr(kFrameHeaderBytes, length);
  const uint32_t crc = crc32c::Extend(crc32c::Extend(0, &type, 1), payload.data(), payload.size());
  if (crc != storage::GetU32(rest, 5)) {
    return Corrupt(fmt::format("frame at stream offset {}: checksum mismatch", offset_));
  }
  Frame f{static_cast<FrameType>(type), std::string(payload)};
  start_ += kFrameHeaderBytes + length;
  offset_ += kFrameHeaderBytes + length;
  // Keep the buffer from growing: drop what was consumed once it is half of it.
  if (start_ > buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  return std::optional<Frame>(std::move(f));
}

}  // namespace raftlab::runner::peer
