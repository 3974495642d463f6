// WAL recovery (core/storage/recovery.h) from arbitrary segment bytes: a
// recovered state (a torn tail repaired) or an error that names the segment
// file, never a crash.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/check.h"
#include "core/storage/memory_file_system.h"
#include "core/storage/recovery.h"
#include "core/storage/wal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace raftlab::storage;
  MemoryFileSystem fs;
  const std::string name = Wal::SegmentName(0);
  CHECK(fs.Append(name, std::string_view(reinterpret_cast<const char*>(data), size)).has_value());
  std::optional<Wal> wal;
  auto recovered = Recover(&fs, WalOptions{}, &wal);
  if (!recovered) {
    CHECK_MSG(recovered.error().message.find(name) != std::string::npos,
              "a WAL error that does not name the file: " + recovered.error().message);
  }
  return 0;
}
