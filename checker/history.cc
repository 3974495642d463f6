#include "checker/history.h"

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::checker {

std::string Value::ToString() const {
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kString: return "\"" + text + "\"";
  }
  UNREACHABLE();
}

const char* OpFunctionName(OpFunction f) {
  switch (f) {
    case OpFunction::kRead: return "read";
    case OpFunction::kWrite: return "write";
    case OpFunction::kCas: return "cas";
    case OpFunction::kAppend: return "append";
    case OpFunction::kDelete: return "delete";
  }
  UNREACHABLE();
}

const char* OpStatusName(OpStatus s) {
  switch (s) {
    case OpStatus::kOk: return "ok";
    case OpStatus::kFail: return "fail";
    case OpStatus::kInfo: return "info";
  }
  UNREACHABLE();
}

namespace {

std::string JoinValues(const std::vector<Value>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += " ";
    out += values[i].ToString();
  }
  return out;
}

}  // namespace

std::string Operation::ToString() const {
  std::string text = fmt::format("p{} {}", client, OpFunctionName(f));
  if (!key.empty()) text += " " + key;
  if (!input.empty()) text += " " + JoinValues(input);
  if (f == OpFunction::kCas && !succeeded) text += " (compare failed)";
  if (!output.empty()) text += " -> " + JoinValues(output);
  if (revision >= 0) text += fmt::format(" @rev{}", revision);
  if (return_ns == kInfinity) {
    text += fmt::format(" [{}, inf)", invoke_ns);
  } else {
    text += fmt::format(" [{}, {}]", invoke_ns, return_ns);
  }
  return text;
}

History Prepare(const History& history) {
  History out;
  out.source = history.source;
  for (const Operation& op : history.ops) {
    if (op.status == OpStatus::kFail) continue;
    const bool indeterminate = op.status == OpStatus::kInfo;
    // An indeterminate read returned nothing, so it cannot constrain the order.
    if (indeterminate && op.f == OpFunction::kRead) continue;
    Operation copy = op;
    if (indeterminate) copy.return_ns = kInfinity;
    if (!indeterminate) CHECK_LE(copy.invoke_ns, copy.return_ns);
    copy.id = out.ops.size();
    out.ops.push_back(std::move(copy));
  }
  return out;
}

}  // namespace raftlab::checker
