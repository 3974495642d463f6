// Peer frames: how members talk to each other over TCP (docs/formats.md,
// "Peer connections"). Pure encode/decode; the sockets are transport.h's.
//
// Each member dials every peer once and only sends on that connection; a
// member's answers travel on its own connection the other way. A
// connection starts with a handshake from the dialer:
//
//   "RLPEER01" | u64 cluster id | u64 sender id | u64 receiver id | u32 crc32c
//
// (integers little-endian, the CRC over the 32 bytes before it), and then
// carries frames:
//
//   u32 payload length | u8 type | u32 crc32c(type byte, payload) | payload
//
// A frame longer than the receiver's limit is refused before anything is
// allocated for it; a bad CRC, an unknown type or a bad handshake ends the
// connection. Types: a Raft message (raftpb.Message, with a MsgSnap's state
// sent ahead in snapshot chunks so no frame is large), a snapshot chunk, and
// a client request forwarded to the leader with its response
// (serverpb.ClientRequest / ClientResponse, for leader-local lease
// requests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace raftlab::runner::peer {

inline constexpr std::string_view kMagic = "RLPEER01";
inline constexpr size_t kHandshakeBytes = 36;
inline constexpr size_t kFrameHeaderBytes = 9;

struct Handshake {
  uint64_t cluster_id = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  bool operator==(const Handshake&) const = default;
};

std::string EncodeHandshake(const Handshake& h);
// REQUIRES: bytes.size() == kHandshakeBytes.
Result<Handshake> DecodeHandshake(std::string_view bytes);

enum class FrameType : uint8_t {
  kMessage = 1,
  kSnapshotChunk = 2,
  kForwardRequest = 3,
  kForwardResponse = 4,
};

struct Frame {
  FrameType type = FrameType::kMessage;
  std::string payload;
};

std::string EncodeFrame(FrameType type, std::string_view payload);

// Decodes frames from a byte stream fed in pieces of any size.
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_payload_bytes) : max_payload_bytes_(max_payload_bytes) {}

  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, nullopt if more bytes are needed, or an error
  // (naming the stream offset) after which the stream is unusable.
  Result<std::optional<Frame>> Next();

 private:
  uint32_t max_payload_bytes_;
  std::string buffer_;
  size_t start_ = 0;     // where the next frame begins in buffer_
  uint64_t offset_ = 0;  // stream offset of buffer_[start_]
};

}  // namespace raftlab::runner::peer
