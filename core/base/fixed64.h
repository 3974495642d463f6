// Fixed-width big-endian encoding of a 64-bit number in 8 bytes, for opaque
// context strings (read-index sequences, request contexts) that must
// round-trip exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace raftlab {

inline std::string EncodeFixed64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xFF);
  return out;
}

// nullopt unless `bytes` is exactly 8 bytes long.
inline std::optional<uint64_t> DecodeFixed64(const std::string& bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace raftlab
