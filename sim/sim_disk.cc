#include "sim/sim_disk.h"

#include <fmt/format.h>

namespace raftlab::sim {

const char* SimDisk::Crash() {
  fail_next_sync_ = false;  // the failed fsync belonged to the dead process
  CrashDiskMode mode = model_.crash_mode;
  if (mode == CrashDiskMode::kRandom) mode = static_cast<CrashDiskMode>(prng_.Index(3));
  switch (mode) {
    case CrashDiskMode::kDropUnsynced:
      fs_.Crash(0);
      return "dropped unsynced writes";
    case CrashDiskMode::kKeepUnsynced:
      fs_.Crash(UINT64_MAX);
      return "kept unsynced writes";
    case CrashDiskMode::kTornUnsynced:
    case CrashDiskMode::kRandom: {
      // Keep a whole number of sectors of the unsynced suffix.
      const uint64_t sectors = prng_.Range(0, 8);
      fs_.Crash(sectors * model_.sector_bytes);
      return "tore unsynced writes";
    }
  }
  return "?";
}

Status SimDisk::Append(const std::string& name, std::string_view data) {
  if (full_) return MakeError(ErrorCode::kIo, fmt::format("{}: no space left on device (ENOSPC)", name));
  return fs_.Append(name, data);
}

Status SimDisk::Sync(const std::string& name) {
  if (fail_next_sync_) {
    fail_next_sync_ = false;
    return MakeError(ErrorCode::kIo, fmt::format("{}: fsync: input/output error (EIO)", name));
  }
  return fs_.Sync(name);
}

std::string SimDisk::Corrupt(bool misdirected) {
  // Only WAL segments: their records carry checksums that recovery checks.
  std::vector<std::string> wal;
  for (const std::string& name : fs_.List()) {
    if (name.rfind("wal-", 0) == 0) wal.push_back(name);
  }
  if (wal.empty()) return "";
  const std::string& name = wal[prng_.Index(wal.size())];
  const uint64_t synced = fs_.Read(name).value_or("").size() - fs_.UnsyncedBytes(name);
  if (synced < 2) return "";
  const uint64_t offset = prng_.Index(synced);
  if (!misdirected) {
    const auto mask = static_cast<uint8_t>(1U << prng_.Index(8));
    if (!fs_.FlipBits(name, offset, mask).has_value()) return "";
    return fmt::format("flipped bit {:#04x} at {}:{}", mask, name, offset);
  }
  // A write that landed on the wrong block: these bytes now hold a copy of
  // bytes from another offset (a sector-sized stretch, clipped to the file).
  const std::string content = fs_.Read(name).value_or("");
  const uint64_t from = prng_.Index(synced);
  const uint64_t len = std::min<uint64_t>({model_.sector_bytes, synced - offset, synced - from});
  uint64_t changed = 0;
  for (uint64_t i = 0; i < len; ++i) {
    const auto diff = static_cast<uint8_t>(content[offset + i] ^ content[from + i]);
    if (diff != 0 && fs_.FlipBits(name, offset + i, diff).has_value()) ++changed;
  }
  if (changed == 0) return "";
  return fmt::format("misdirected write: {} bytes of {} at {} overwritten with those at {}", len,
                     name, offset, from);
}

}  // namespace raftlab::sim
