// A checksummed envelope for persisted state: magic (4 bytes) | crc32c of
// payload (4, little-endian) | payload length (8, little-endian) | payload.
// Shared by the MVCC and lease snapshots. (A candidate for core/base.)
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace raftlab::mvcc {

// REQUIRES: magic.size() == 4.
std::string SealEnvelope(std::string_view magic, std::string_view payload);

// The payload, or kCorruption naming what failed. The view points into `bytes`.
Result<std::string_view> OpenEnvelope(std::string_view magic, std::string_view bytes);

}  // namespace raftlab::mvcc
