// The datadriven script parser of the Raft scripts (sim/script/datadriven.h):
// any bytes are a Script or an error naming the file and line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/script/datadriven.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  raftlab::fuzz::CheckNamesSource(raftlab::script::ParseScript(raftlab::fuzz::kSource, text));
  return 0;
}
