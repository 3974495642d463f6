#include "sim/script/datadriven.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace raftlab::script {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Splits on blanks outside parentheses.
std::vector<std::string> Fields(const std::string& line) {
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
  return fields;
}

CmdArg ParseArg(const std::string& field) {
  CmdArg arg;
  const size_t eq = field.find('=');
  if (eq == std::string::npos) {
    arg.key = field;
    return arg;
  }
  arg.key = field.substr(0, eq);
  const std::string v = field.substr(eq + 1);
  if (v.size() >= 2 && v.front() == '(' && v.back() == ')') {
    std::istringstream in(v.substr(1, v.size() - 2));
    std::string item;
    while (std::getline(in, item, ',')) arg.values.push_back(Trim(item));
  } else {
    arg.values.push_back(v);
  }
  return arg;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t k = 0; k < lines.size(); ++k) out += (k ? "\n" : "") + lines[k];
  return out;
}

}  // namespace

const std::string& CmdArg::Value() const {
  static const std::string kEmpty;
  if (values.size() != 1) {
    if (errors != nullptr) errors->push_back("argument " + key + " needs exactly one value");
    return kEmpty;
  }
  return values[0];
}

bool TestData::HasArg(const std::string& key) const { return FindArg(key) != nullptr; }

const CmdArg* TestData::FindArg(const std::string& key) const {
  for (const CmdArg& a : args) {
    if (a.key == key) {
      a.errors = &errors;
      return &a;
    }
  }
  return nullptr;
}

uint64_t TestData::ArgUint(const std::string& key, uint64_t fallback) const {
  const CmdArg* a = FindArg(key);
  if (a == nullptr) return fallback;
  const std::string& v = a->Value();
  char* end = nullptr;
  const uint64_t x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') {
    errors.push_back(Pos() + ": " + key + "=" + v + " is not a number");
    return fallback;
  }
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
  errors.push_back(Pos() + ": " + key + "=" + v + " is not true or false");
  return fallback;
}

std::string TestData::CommandLine() const {
  std::string out = cmd;
  for (const CmdArg& a : args) {
    out += " " + a.key;
    if (a.values.size() == 1) {
      out += "=" + a.values[0];
    } else if (a.values.size() > 1) {
      out += "=(";
      for (size_t i = 0; i < a.values.size(); ++i) out += (i ? ", " : "") + a.values[i];
      out += ")";
    }
  }
  return out;
}

Result<Script> ParseScript(const std::string& path, const std::string& text) {
  Script script;
  script.path = path;
  script.lines = SplitLines(text);
  const std::vector<std::string>& lines = script.lines;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string t = Trim(lines[i]);
    if (t.empty() || t[0] == '#') {
      ++i;
      continue;
    }
    Script::Case c;
    c.data.file = path;
    c.data.line = static_cast<int>(i + 1);
    const std::vector<std::string> fields = Fields(t);
    c.data.cmd = fields[0];
    for (size_t k = 1; k < fields.size(); ++k) c.data.args.push_back(ParseArg(fields[k]));
    ++i;
    std::vector<std::string> input;
    while (i < lines.size() && lines[i] != "----") input.push_back(lines[i++]);
    if (i >= lines.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       path + ":" + std::to_string(c.data.line) +
                           ": expected a \"----\" line after the command \"" + t + "\"");
    }
    c.data.input = Join(input);
    ++i;  // the separator
    std::vector<std::string> out;
    if (i < lines.size() && lines[i] == "----") {
      c.blank_block = true;
      c.output_begin = ++i;
      while (i + 1 < lines.size() && !(lines[i] == "----" && lines[i + 1] == "----")) {
        out.push_back(lines[i++]);
      }
      i = std::min(lines.size(), i + 2);
    } else {
      c.output_begin = i;
      while (i < lines.size() && !Trim(lines[i]).empty()) out.push_back(lines[i++]);
    }
    c.output_end = i;
    c.data.expected = Join(out);
    script.cases.push_back(std::move(c));
  }
  return script;
}

Result<Script> ReadScript(const std::string& path) {
  std::ifstream in(path);
  if (!in.good()) return MakeError(ErrorCode::kNotFound, path + ": cannot open script file");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseScript(path, buf.str());
}

std::string RewriteScript(const Script& script, const std::vector<std::string>& outputs) {
  std::vector<std::string> out;
  size_t copied = 0;
  const std::vector<std::string>& lines = script.lines;
  for (size_t k = 0; k < script.cases.size(); ++k) {
    const Script::Case& c = script.cases[k];
    const size_t separator = c.output_begin - (c.blank_block ? 2 : 1);
    for (; copied < separator; ++copied) out.push_back(lines[copied]);
    const std::string& actual = outputs[k];
    const bool block = actual.find("\n\n") != std::string::npos;
    out.push_back("----");
    if (block) out.push_back("----");
    for (const std::string& l : SplitLines(actual)) out.push_back(l);
    if (block) {
      out.push_back("----");
      out.push_back("----");
    }
    out.push_back("");
    copied = c.output_end;
    while (copied < lines.size() && Trim(lines[copied]).empty()) ++copied;
  }
  for (; copied < lines.size(); ++copied) out.push_back(lines[copied]);
  while (!out.empty() && Trim(out.back()).empty()) out.pop_back();
  std::string text;
  for (const std::string& l : out) text += l + "\n";
  return text;
}

std::string RenderCase(const TestData& data, const std::string& output) {
  std::string out = data.CommandLine() + "\n";
  if (!data.input.empty()) out += data.input + "\n";
  out += "----\n";
  out += output;
  if (!output.empty() && output.back() != '\n') out += "\n";
  return out;
}

}  // namespace raftlab::script
