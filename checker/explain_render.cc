// Text and JSON renderings of an Explanation (explain.h).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "checker/explain.h"
#include "checker/json.h"
#include "core/base/check.h"

namespace raftlab::checker {
namespace {

constexpr size_t kTimelineOpsMax = 52;  // one letter per op: A-Z, a-z
constexpr size_t kColumnWidth = 3;

char Letter(size_t i) {
  CHECK_LT(i, kTimelineOpsMax);
  return static_cast<char>(i < 26 ? 'A' + i : 'a' + (i - 26));
}

void WriteValue(json::Out& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil: out.Null(); return;
    case Value::Kind::kInt: out.Int(v.integer); return;
    case Value::Kind::kString: out.Bytes(v.text); return;
  }
  UNREACHABLE();
}

void WriteOp(json::Out& out, const Operation& op) {
  out.w.StartObject();
  out.Int("client", op.client);
  out.Text("f", OpFunctionName(op.f));
  out.Bytes("key", op.key);
  out.Key("input");
  out.w.StartArray();
  for (const Value& v : op.input) WriteValue(out, v);
  out.w.EndArray();
  out.Key("output");
  out.w.StartArray();
  for (const Value& v : op.output) WriteValue(out, v);
  out.w.EndArray();
  out.Uint("invoke_ns", op.invoke_ns);
  out.Key("return_ns");
  if (op.return_ns == kInfinity) {
    out.Null();
  } else {
    out.Uint(op.return_ns);
  }
  out.Text("status", OpStatusName(op.status));
  out.Uint("line", op.source_line);
  out.w.EndObject();
}

void WriteOps(json::Out& out, const History& prepared, const std::vector<uint64_t>& ids) {
  out.w.StartArray();
  for (uint64_t id : ids) WriteOp(out, prepared.ops[id]);
  out.w.EndArray();
}

std::string Listing(const History& prepared, const std::vector<uint64_t>& ids,
                    const std::string& indent) {
  std::string out;
  for (uint64_t id : ids) {
    const Operation& op = prepared.ops[id];
    out += fmt::format("{}{} (line {})\n", indent, op.ToString(), op.source_line);
  }
  return out;
}

}  // namespace

std::string RenderTimeline(const History& prepared, const std::vector<uint64_t>& ids) {
  if (ids.size() > kTimelineOpsMax) return Listing(prepared, ids, "  ");
  std::vector<uint64_t> times;
  for (uint64_t id : ids) {
    times.push_back(prepared.ops[id].invoke_ns);
    times.push_back(prepared.ops[id].return_ns);  // kInfinity sorts last
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  auto column = [&](uint64_t t) {
    return kColumnWidth * static_cast<size_t>(
        std::lower_bound(times.begin(), times.end(), t) - times.begin());
  };
  std::map<int64_t, std::string> lines;  // client -> bars
  const size_t width = kColumnWidth * times.size() + 1;
  std::string legend;
  for (size_t i = 0; i < ids.size(); ++i) {
    const Operation& op = prepared.ops[ids[i]];
    std::string& line = lines.try_emplace(op.client, std::string(width, ' ')).first->second;
    const size_t from = column(op.invoke_ns);
    const size_t to = column(op.return_ns);
    for (size_t c = from; c <= to; ++c) line[c] = '-';
    line[from] = '[';
    line[to] = op.return_ns == kInfinity ? '>' : ']';
    if (from + 1 < to) line[from + 1] = Letter(i);
    if (from + 1 >= to) line[from] = Letter(i);
    legend += fmt::format("  {}  {} (line {})\n", Letter(i), op.ToString(), op.source_line);
  }
  std::string out;
  for (auto& [client, line] : lines) {
    line.erase(line.find_last_not_of(' ') + 1);
    out += fmt::format("  p{:<4} {}\n", client, line);
  }
  return out + legend;
}

std::string ExplainText(const History& prepared, const CheckResult& result, ModelKind model) {
  const Explanation e = Explain(prepared, result, model);
  std::string out = e.key.empty() ? std::string("violation (one partition: the whole history)\n")
                                  : fmt::format("violation on key \"{}\"\n", e.key);
  out += fmt::format("longest partial linearization ({} ops), ending in state {}:\n",
                     e.longest.size(), e.state_after_longest);
  const size_t tail = std::min<size_t>(e.longest.size(), 10);
  if (tail < e.longest.size()) {
    out += fmt::format("  ... {} earlier ops\n", e.longest.size() - tail);
  }
  out += Listing(prepared, std::vector<uint64_t>(e.longest.end() - tail, e.longest.end()), "  ");
  out += "operations that cannot be placed next:\n";
  for (uint64_t id : e.unplaceable) {
    const bool illegal = std::find(e.illegal.begin(), e.illegal.end(), id) != e.illegal.end();
    out += fmt::format("  {} (line {}){}\n", prepared.ops[id].ToString(),
                       prepared.ops[id].source_line,
                       illegal ? ": illegal in that state" : ": leads only to dead ends");
  }
  out += fmt::format("minimal failing sub-history ({} ops{}):\n", e.minimal.size(),
                     e.minimal_is_one_minimal ? ", 1-minimal" : ", step budget reached");
  out += RenderTimeline(prepared, e.minimal);
  return out;
}

std::string ExplainJson(const History& prepared, const CheckResult& result, ModelKind model) {
  json::Out out;
  out.w.StartObject();
  out.Text("verdict", VerdictName(result.verdict));
  out.Text("model", ModelKindName(model));
  out.Key("partitions");
  out.w.StartArray();
  for (const PartitionResult& p : result.partitions) {
    out.w.StartObject();
    out.Bytes("key", p.key);
    out.Text("verdict", VerdictName(p.verdict));
    out.Uint("ops", p.op_ids.size());
    out.Uint("cache_entries", p.cache_entries);
    out.Uint("steps", p.steps);
    out.w.EndObject();
  }
  out.w.EndArray();
  if (result.FirstViolation().has_value() && !result.Explainable()) {
    out.Key("violation");
    out.Null();
    out.Key("unexplained");
    out.Text("decided by the etcd revision fast path; the search could not rebuild the "
             "violation within its limits");
  } else if (result.Explainable()) {
    const Explanation e = Explain(prepared, result, model);
    out.Key("violation");
    out.w.StartObject();
    out.Bytes("key", e.key);
    out.Key("longest");
    WriteOps(out, prepared, e.longest);
    out.Text("state", e.state_after_longest);
    out.Key("unplaceable");
    WriteOps(out, prepared, e.unplaceable);
    out.Key("illegal");
    WriteOps(out, prepared, e.illegal);
    out.Key("minimal");
    WriteOps(out, prepared, e.minimal);
    out.w.EndObject();
  }
  out.w.EndObject();
  return out.str();
}

}  // namespace raftlab::checker
