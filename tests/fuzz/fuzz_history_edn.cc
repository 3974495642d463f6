// Jepsen EDN histories (checker/jepsen_reader.h): any bytes are a history
// or an error naming the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checker/jepsen_reader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  raftlab::fuzz::CheckNamesSource(raftlab::checker::ReadJepsenEdn(text, raftlab::fuzz::kSource));
  return 0;
}
