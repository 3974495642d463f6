#include "tests/util/datadriven.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace raftlab::testing {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Parses "cmd a b=c d=(e,f)" into the command and its arguments.
void ParseCommand(const std::string& line, TestData* td) {
  std::vector<std::string> fields;
  std::string cur;
  int depth = 0;
  for (char c : line) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ' ' || c == '\t') && depth == 0) {
      if (!cur.empty()) fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) fields.push_back(cur);
  td->cmd = fields.empty() ? "" : fields[0];
  for (size_t i = 1; i < fields.size(); ++i) {
    CmdArg arg;
    const std::string& f = fields[i];
    size_t eq = f.find('=');
    if (eq == std::string::npos) {
      arg.key = f;
    } else {
      arg.key = f.substr(0, eq);
      std::string v = f.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '(' && v.back() == ')') {
        std::string inner = v.substr(1, v.size() - 2);
        std::string item;
        std::istringstream in(inner);
        while (std::getline(in, item, ',')) arg.values.push_back(Trim(item));
      } else {
        arg.values.push_back(v);
      }
    }
    td->args.push_back(arg);
  }
}

struct Case {
  TestData data;
  size_t first_line = 0;   // index of the command line
  size_t output_begin = 0; // first line after the opening "----" (and "----" pair)
  size_t output_end = 0;   // one past the last line of the case
  bool blank_block = false;
};

std::vector<Case> Parse(const std::string& path, const std::vector<std::string>& lines) {
  std::vector<Case> cases;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string t = Trim(lines[i]);
    if (t.empty() || t[0] == '#') {
      ++i;
      continue;
    }
    Case c;
    c.data.file = path;
    c.data.line = static_cast<int>(i + 1);
    c.first_line = i;
    ParseCommand(t, &c.data);
    ++i;
    std::vector<std::string> input;
    while (i < lines.size() && lines[i] != "----") input.push_back(lines[i++]);
    for (size_t k = 0; k < input.size(); ++k) c.data.input += (k ? "\n" : "") + input[k];
    if (i >= lines.size()) {
      ADD_FAILURE() << path << ":" << c.data.line << ": expected a \"----\" line after the command";
      return cases;
    }
    ++i;  // the separator
    std::vector<std::string> out;
    if (i < lines.size() && lines[i] == "----") {
      c.blank_block = true;
      ++i;
      c.output_begin = i;
      while (i + 1 < lines.size() && !(lines[i] == "----" && lines[i + 1] == "----")) {
        out.push_back(lines[i++]);
      }
      i = std::min(lines.size(), i + 2);
    } else {
      c.output_begin = i;
      while (i < lines.size() && !Trim(lines[i]).empty()) out.push_back(lines[i++]);
    }
    c.output_end = i;
    for (size_t k = 0; k < out.size(); ++k) c.data.expected += (k ? "\n" : "") + out[k];
    cases.push_back(c);
  }
  return cases;
}

std::string StripTrailingNewlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

const std::string& CmdArg::Value() const {
  static const std::string kEmpty;
  if (values.size() != 1) {
    ADD_FAILURE() << "argument " << key << " needs exactly one value";
    return kEmpty;
  }
  return values[0];
}

bool TestData::HasArg(const std::string& key) const { return FindArg(key) != nullptr; }

const CmdArg* TestData::FindArg(const std::string& key) const {
  for (const CmdArg& a : args) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

uint64_t TestData::ArgUint(const std::string& key, uint64_t fallback) const {
  const CmdArg* a = FindArg(key);
  if (a == nullptr) return fallback;
  const std::string& v = a->Value();
  char* end = nullptr;
  uint64_t x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') ADD_FAILURE() << Pos() << ": " << key << "=" << v << " is not a number";
  return x;
}

std::string TestData::ArgString(const std::string& key, const std::string& fallback) const {
  const CmdArg* a = FindArg(key);
  return a == nullptr ? fallback : a->Value();
}

bool TestData::ArgBool(const std::string& key, bool fallback) const {
  const CmdArg* a = FindArg(key);
  if (a == nullptr) return fallback;
  if (a->values.empty()) return true;
  const std::string& v = a->Value();
  if (v == "true") return true;
  if (v == "false") return false;
  ADD_FAILURE() << Pos() << ": " << key << "=" << v << " is not true or false";
  return fallback;
}

void RunTest(const std::string& path, const std::function<std::string(TestData&)>& handler) {
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream buf;
  buf << in.rdbuf();
  const std::vector<std::string> lines = SplitLines(buf.str());
  std::vector<Case> cases = Parse(path, lines);
  const bool rewrite = std::getenv("REWRITE") != nullptr;
  std::vector<std::string> rewritten;
  size_t copied = 0;
  for (Case& c : cases) {
    SCOPED_TRACE(c.data.Pos());
    const std::string actual = StripTrailingNewlines(handler(c.data));
    if (rewrite) {
      for (; copied < c.output_begin - (c.blank_block ? 2 : 1); ++copied) {
        rewritten.push_back(lines[copied]);
      }
      const bool needs_block = actual.find("\n\n") != std::string::npos;
      rewritten.push_back("----");
      if (needs_block) rewritten.push_back("----");
      for (const std::string& l : SplitLines(actual)) rewritten.push_back(l);
      if (needs_block) {
        rewritten.push_back("----");
        rewritten.push_back("----");
      }
      rewritten.push_back("");
      copied = c.output_end;
      while (copied < lines.size() && Trim(lines[copied]).empty()) ++copied;
    } else if (actual != c.data.expected) {
      ADD_FAILURE() << c.data.Pos() << ": output of \"" << c.data.cmd << "\" differs\n"
                    << "--- expected\n" << c.data.expected << "\n+++ actual\n" << actual
                    << "\n(rerun with REWRITE=1 to accept)";
    }
  }
  if (rewrite) {
    for (; copied < lines.size(); ++copied) rewritten.push_back(lines[copied]);
    while (!rewritten.empty() && Trim(rewritten.back()).empty()) rewritten.pop_back();
    std::ofstream out(path, std::ios::trunc);
    for (const std::string& l : rewritten) out << l << "\n";
  }
}

std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string p = entry.path().string();
    if (p.size() >= suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
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
