#include "tests/util/datadriven.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace raftlab::testing {
namespace {

std::string StripTrailingNewlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

void RunTest(const std::string& path, const std::function<std::string(TestData&)>& handler) {
  Result<script::Script> parsed = script::ReadScript(path);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const bool rewrite = std::getenv("REWRITE") != nullptr;
  std::vector<std::string> outputs;
  for (script::Script::Case& c : parsed->cases) {
    SCOPED_TRACE(c.data.Pos());
    const std::string actual = StripTrailingNewlines(handler(c.data));
    for (const std::string& e : c.data.errors) ADD_FAILURE() << c.data.Pos() << ": " << e;
    outputs.push_back(actual);
    if (!rewrite && actual != c.data.expected) {
      ADD_FAILURE() << c.data.Pos() << ": output of \"" << c.data.CommandLine() << "\" differs\n"
                    << "--- expected\n" << c.data.expected << "\n+++ actual\n" << actual
                    << "\n(rerun with REWRITE=1 to accept)";
    }
  }
  if (rewrite) {
    std::ofstream out(path, std::ios::trunc);
    out << script::RewriteScript(*parsed, outputs);
  }
}

std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string p = entry.path().string();
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string SourceDir() {
  const char* env = std::getenv("RAFTLAB_SOURCE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return RAFTLAB_SOURCE_DIR_DEFAULT;
}

}  // namespace raftlab::testing
