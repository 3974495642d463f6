#include "sim/sim_disk.h"

namespace raftlab::sim {

const char* SimDisk::Crash() {
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

}  // namespace raftlab::sim
