// Every history under tests/testdata/external gets the verdict its README states.
#include <string>

#include <gtest/gtest.h>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "checker/reader.h"
#include "tests/util/datadriven.h"

namespace raftlab::checker {
namespace {

struct Expected {
  const char* file;
  HistoryFormat format;
  ModelKind model;
  Verdict verdict;
};

// From tests/testdata/external/porcupine-kv/README.md and .../etcd-3.4/README.md.
constexpr Expected kFiles[] = {
    {"porcupine-kv/c01-ok.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kLinearizable},
    {"porcupine-kv/c01-bad.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kNotLinearizable},
    {"porcupine-kv/c10-ok.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kLinearizable},
    {"porcupine-kv/c10-bad.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kNotLinearizable},
    {"porcupine-kv/c50-ok.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kLinearizable},
    {"porcupine-kv/c50-bad.txt", HistoryFormat::kPorcupineKv, ModelKind::kKv,
     Verdict::kNotLinearizable},
    {"etcd-3.4/etcd-h01-kill.edn", HistoryFormat::kJepsenEdn, ModelKind::kCasRegister,
     Verdict::kLinearizable},
    {"etcd-3.4/etcd-h01-kill-bad.edn", HistoryFormat::kJepsenEdn, ModelKind::kCasRegister,
     Verdict::kNotLinearizable},
    {"etcd-3.4/etcd-h02-pause-leader.edn", HistoryFormat::kJepsenEdn, ModelKind::kCasRegister,
     Verdict::kLinearizable},
    {"etcd-3.4/etcd-h06-small.edn", HistoryFormat::kJepsenEdn, ModelKind::kCasRegister,
     Verdict::kLinearizable},
    {"etcd-3.4/etcd-h08-nofault.edn", HistoryFormat::kJepsenEdn, ModelKind::kCasRegister,
     Verdict::kLinearizable},
};

std::string DataDir() { return testing::SourceDir() + "/tests/testdata/external/"; }

TEST(ExternalData, EveryFileGetsItsReadmeVerdict) {
  for (const Expected& expected : kFiles) {
    SCOPED_TRACE(expected.file);
    HistoryFormat used = HistoryFormat::kAuto;
    auto history = ReadHistoryFile(DataDir() + expected.file, HistoryFormat::kAuto, &used);
    ASSERT_TRUE(history.has_value()) << history.error().message;
    EXPECT_EQ(used, expected.format);
    CheckOptions options;
    options.model = expected.model;
    options.timeout_ms = 60'000;
    for (int jobs : {1, 2}) {
      options.jobs = jobs;
      auto result = CheckHistory(Prepare(*history), expected.file, options);
      ASSERT_TRUE(result.has_value()) << result.error().message;
      EXPECT_EQ(VerdictName(result->verdict), std::string(VerdictName(expected.verdict)))
          << "jobs=" << jobs;
    }
  }
}

TEST(ExternalData, EtcdBadViolationIsOnKeyK0) {
  // The README: line 13498 was changed so an :ok read of k0 returns 7.
  auto history = ReadHistoryFile(DataDir() + "etcd-3.4/etcd-h01-kill-bad.edn",
                                 HistoryFormat::kJepsenEdn, nullptr);
  ASSERT_TRUE(history.has_value());
  CheckOptions options;
  options.keep_longest = true;
  auto result = CheckHistory(Prepare(*history), "bad", options);
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->FirstViolation().has_value());
  EXPECT_EQ(result->partitions[*result->FirstViolation()].key, "k0");
}

TEST(ExternalData, UnpartitionedSmallHistoriesAgree) {
  for (const char* file : {"porcupine-kv/c01-ok.txt", "porcupine-kv/c01-bad.txt",
                           "porcupine-kv/c10-ok.txt", "porcupine-kv/c10-bad.txt"}) {
    SCOPED_TRACE(file);
    auto history = ReadHistoryFile(DataDir() + file, HistoryFormat::kPorcupineKv, nullptr);
    ASSERT_TRUE(history.has_value());
    const bool bad = std::string(file).find("bad") != std::string::npos;
    CheckOptions options;
    options.model = ModelKind::kKv;
    options.partition = false;
    options.timeout_ms = 60'000;
    auto result = CheckHistory(Prepare(*history), file, options);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->verdict, bad ? Verdict::kNotLinearizable : Verdict::kLinearizable);
  }
}

}  // namespace
}  // namespace raftlab::checker

namespace raftlab::checker {
namespace {

TEST(ExternalData, ExplanationDoesNotDependOnJobs) {
  // Partitions advance in rounds of step budgets, so which violation is
  // reported depends on step counts only, never on thread timing.
  auto history = ReadHistoryFile(DataDir() + "porcupine-kv/c50-bad.txt",
                                 HistoryFormat::kPorcupineKv, nullptr);
  ASSERT_TRUE(history.has_value());
  const History prepared = Prepare(*history);
  std::string first;
  for (int jobs : {1, 2, 3, 2, 3, 4, 2}) {
    CheckOptions options;
    options.model = ModelKind::kKv;
    options.jobs = jobs;
    options.keep_longest = true;
    auto result = CheckHistory(prepared, "c50-bad", options);
    ASSERT_TRUE(result.has_value());
    const std::string json = ExplainJson(prepared, *result, ModelKind::kKv);
    if (first.empty()) first = json;
    EXPECT_EQ(json, first) << "jobs=" << jobs;
  }
}

}  // namespace
}  // namespace raftlab::checker

namespace raftlab::checker {
namespace {

TEST(ExternalData, AStepBudgetGivesTheSameUnknownEveryTime) {
  // The whole (unpartitioned) c50 history needs far more search than this
  // budget; counted in steps, the outcome cannot depend on machine speed.
  auto history = ReadHistoryFile(DataDir() + "porcupine-kv/c50-ok.txt",
                                 HistoryFormat::kPorcupineKv, nullptr);
  ASSERT_TRUE(history.has_value()) << history.error().message;
  CheckOptions options;
  options.model = ModelKind::kKv;
  options.partition = false;
  options.steps_max = 5000;
  for (int run = 0; run < 2; ++run) {
    auto result = CheckHistory(Prepare(*history), "c50", options);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->verdict, Verdict::kUnknown);
    ASSERT_EQ(result->partitions.size(), 1u);
    EXPECT_LE(result->partitions[0].steps, 5000u + 4096u);
  }
  options.steps_max = 0;  // and without the budget the verdict is reached
  auto result = CheckHistory(Prepare(*history), "c50", options);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->verdict, Verdict::kLinearizable);
}

}  // namespace
}  // namespace raftlab::checker
