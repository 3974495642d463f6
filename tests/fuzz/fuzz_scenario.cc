// The scenario loader (sim/scenario/scenario.h): any bytes are a Scenario or
// an error naming the file (with line and column where YAML has them).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario/scenario.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  raftlab::fuzz::CheckNamesSource(raftlab::sim::LoadScenarioFromString(yaml, raftlab::fuzz::kSource));
  return 0;
}
