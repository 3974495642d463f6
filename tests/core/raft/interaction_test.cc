// Runs every interaction script in tests/testdata/raft/ (see
// sim/raft/interaction_env.h for the commands). The Raft invariants are
// checked after every command; a violation fails the script.
#include <gtest/gtest.h>

#include "sim/raft/interaction_env.h"
#include "tests/util/datadriven.h"

namespace raftlab::raft {
namespace {

class InteractionScripts : public ::testing::TestWithParam<std::string> {};

TEST_P(InteractionScripts, MatchGoldenOutput) {
  sim::InteractionEnv env;
  testing::RunTest(GetParam(), [&env](testing::TestData& td) {
    std::string out = env.Handle(td);
    for (const std::string& v : env.CheckInvariants()) {
      ADD_FAILURE() << td.Pos() << ": invariant violated: " << v;
    }
    return out;
  });
}

std::vector<std::string> Scripts() {
  return testing::ListFiles(testing::SourceDir() + "/tests/testdata/raft", ".txt");
}

std::string Name(const ::testing::TestParamInfo<std::string>& info) {
  std::string base = info.param.substr(info.param.find_last_of('/') + 1);
  base = base.substr(0, base.size() - 4);
  for (char& c : base) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return base;
}

INSTANTIATE_TEST_SUITE_P(Raft, InteractionScripts, ::testing::ValuesIn(Scripts()), Name);

}  // namespace
}  // namespace raftlab::raft
