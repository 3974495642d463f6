// The snapshot file decoder (core/storage/snapshot_file.h): arbitrary bytes
// are a snapshot or an error that names the file, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base/check.h"
#include "core/storage/snapshot_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace raftlab::storage;
  const std::string name = SnapshotFileName(2, 9);
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto snapshot = DecodeSnapshotFile(name, bytes);
  if (!snapshot) {
    CHECK_MSG(snapshot.error().message.find(name) != std::string::npos,
              "a snapshot error that does not name the file: " + snapshot.error().message);
  }
  return 0;
}
