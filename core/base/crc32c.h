// CRC-32C (Castagnoli), the checksum of WAL records, snapshots and frames.
// Software slicing-by-8; stable across platforms, so it may be persisted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace raftlab::crc32c {

// Extends `crc` (the CRC of some prefix) with `size` more bytes. Extend(0, ...)
// computes a fresh CRC; chaining lets the WAL continue the previous record's CRC.
uint32_t Extend(uint32_t crc, const void* data, size_t size);

inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

}  // namespace raftlab::crc32c
