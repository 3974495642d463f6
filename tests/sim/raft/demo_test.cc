// The demo trace (make run) is a golden file, and a pure function of its seed.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "sim/raft/demo.h"
#include "tests/util/datadriven.h"

namespace raftlab::sim {
namespace {

std::string RunSeed(uint64_t seed, int* code) {
  std::ostringstream out;
  DemoOptions options;
  options.seed = seed;
  *code = RunDemo(options, out);
  return out.str();
}

TEST(Demo, SeedOneMatchesGoldenTrace) {
  const std::string path = testing::SourceDir() + "/tests/testdata/demo/seed1.txt";
  int code = -1;
  const std::string trace = RunSeed(1, &code);
  EXPECT_EQ(code, 0);
  if (std::getenv("REWRITE") != nullptr) {
    std::ofstream(path, std::ios::trunc) << trace;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing " << path << " (run with REWRITE=1)";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(trace, golden.str()) << "rerun with REWRITE=1 to accept a changed trace";
}

TEST(Demo, SameSeedSameTraceDifferentSeedsDiffer) {
  std::set<std::string> traces;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    int first_code = -1;
    int second_code = -1;
    const std::string first = RunSeed(seed, &first_code);
    const std::string second = RunSeed(seed, &second_code);
    EXPECT_EQ(first, second) << "seed " << seed << " is not deterministic";
    // Every phase (elect, replicate, survive a crash, catch up) completes.
    EXPECT_EQ(first_code, 0) << "seed " << seed << ":\n" << first;
    traces.insert(first);
  }
  EXPECT_GT(traces.size(), 10u) << "the seed barely changes the run";
}

}  // namespace
}  // namespace raftlab::sim
