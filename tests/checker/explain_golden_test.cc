// Golden datadriven tests for verdicts and explanations (tests/testdata/checker/*.txt).
//
//   check model=cas-register format=jepsen-edn [partition=false]
//   <history lines>
//   ----
//   <verdict and, on a violation, the explanation>
//
// REWRITE=1 regenerates the expected outputs; review the diff.
#include <string>

#include <gtest/gtest.h>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "checker/reader.h"
#include "tests/util/datadriven.h"

namespace raftlab::checker {
namespace {

std::string RunCheck(testing::TestData& d) {
  const auto format = ParseHistoryFormat(d.ArgString("format", "jepsen-edn"));
  if (!format.has_value()) return "error: bad format";
  auto history = ReadHistory(d.input, "input", *format);
  if (!history) return "error: " + history.error().message;
  const std::string model_name = d.ArgString("model", "cas-register");
  CheckOptions options;
  bool found = false;
  for (ModelKind kind : {ModelKind::kRegister, ModelKind::kCasRegister, ModelKind::kKv,
                         ModelKind::kEtcd}) {
    if (model_name == ModelKindName(kind)) {
      options.model = kind;
      found = true;
    }
  }
  if (!found) return "error: bad model";
  options.partition = d.ArgBool("partition", true);
  options.keep_longest = true;
  const History prepared = Prepare(*history);
  auto result = CheckHistory(prepared, "input", options);
  if (!result) return "error: " + result.error().message;
  std::string out = std::string("verdict: ") + VerdictName(result->verdict) + "\n";
  if (result->verdict == Verdict::kNotLinearizable) {
    out += ExplainText(prepared, *result, options.model);
  }
  return out;
}

TEST(CheckerGolden, Explanations) {
  const auto files = testing::ListFiles(testing::SourceDir() + "/tests/testdata/checker", ".txt");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    testing::RunTest(file, [](testing::TestData& d) -> std::string {
      if (d.cmd == "check") return RunCheck(d);
      ADD_FAILURE() << d.Pos() << ": unknown command " << d.cmd;
      return "";
    });
  }
}

}  // namespace
}  // namespace raftlab::checker
