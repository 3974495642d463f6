#include "sweep/seed_runner.h"

#include <chrono>
#include <cctype>

#include <fmt/format.h>

#include "checker/explain.h"
#include "checker/history.h"
#include "checker/json.h"
#include "checker/jsonl_reader.h"
#include "checker/linearizability.h"

namespace raftlab::sweep {
namespace {

std::string Family(const std::string& v) { return v.substr(0, v.find(':')); }

std::optional<checker::ModelKind> Model(const std::string& name) {
  if (name == "etcd") return checker::ModelKind::kEtcd;
  if (name == "kv") return checker::ModelKind::kKv;
  if (name == "cas-register") return checker::ModelKind::kCasRegister;
  return std::nullopt;
}

// Judges the client history; returns the verdict and adds a violation.
Verdict CheckHistory(const sim::Scenario& s, const std::string& jsonl,
                     std::vector<std::string>* violations, std::string* explanation) {
  const std::optional<checker::ModelKind> model = Model(s.model);
  if (!model) return Verdict::kPass;
  Result<checker::History> h = checker::ReadJsonl(jsonl, "history");
  if (!h) {
    violations->push_back("linearizability: the simulator wrote a history the checker cannot read: " +
                          h.error().message);
    return Verdict::kFail;
  }
  const checker::History prepared = checker::Prepare(*h);
  checker::CheckOptions options;
  options.model = *model;
  // The budget is counted in search steps, not wall time, so whether a seed
  // ends UNKNOWN never depends on the machine or its load: checker.timeout
  // converts at a nominal rate of kStepsPerSecond.
  constexpr uint64_t kStepsPerSecond = 2'000'000;
  options.steps_max = s.check_timeout / sim::kMillisecond * kStepsPerSecond / 1000;
  Result<checker::CheckResult> r = checker::CheckHistory(prepared, "history", options);
  if (!r) {
    violations->push_back("linearizability: the checker rejected the history: " + r.error().message);
    return Verdict::kFail;
  }
  if (r->verdict == checker::Verdict::kUnknown) return Verdict::kUnknown;
  if (r->verdict == checker::Verdict::kLinearizable) return Verdict::kPass;
  const checker::PartitionResult& p = r->partitions[*r->FirstViolation()];
  violations->push_back(fmt::format("linearizability: history is not linearizable: key {} ({} ops)",
                                    p.key.empty() ? "(all)" : p.key, p.op_ids.size()));
  if (explanation != nullptr) {
    // Search again keeping the longest partial linearization, to explain.
    options.keep_longest = true;
    options.revision_fast_path = false;
    Result<checker::CheckResult> again = checker::CheckHistory(prepared, "history", options);
    if (again && again->verdict == checker::Verdict::kNotLinearizable) {
      *explanation = checker::ExplainText(prepared, *again, *model);
    }
  }
  return Verdict::kFail;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

SeedOutcome RunSeed(const sim::Scenario& scenario, uint64_t seed, const RunOptions& options,
                    SeedArtifacts* artifacts) {
  const auto start = std::chrono::steady_clock::now();  // wall time is reported, never judged
  sim::SimConfig config = sim::ConfigForSeed(scenario, seed);
  config.keep_trace_lines = options.keep_trace;
  config.trace_sink = options.trace_sink;
  sim::SimResult r = sim::Simulation(config).Run();
  SeedOutcome o;
  o.seed = seed;
  o.trace_hash = r.trace_hash;
  o.sim_time = r.stats.sim_time;
  o.events = r.stats.events;
  o.ops = r.history.size();
  o.faults = r.stats.faults;
  for (const std::string& v : r.violations) {
    if (scenario.expect.Checks(Family(v))) o.violations.push_back(v);
  }
  const std::string jsonl = sim::ToJsonLines(r.history);
  Verdict history = Verdict::kPass;
  if (scenario.expect.Checks("linearizability")) {
    history = CheckHistory(scenario, jsonl, &o.violations,
                           options.keep_artifacts && artifacts != nullptr ? &artifacts->explanation
                                                                          : nullptr);
  }
  o.verdict = !o.violations.empty() ? Verdict::kFail : history;
  if (artifacts != nullptr) {
    if (options.keep_artifacts) {
      // The whole record: client ops, then watch streams, lease requests and
      // compactions (the linearizability reader skips "record" lines).
      artifacts->history_jsonl = jsonl + sim::ToJsonLines(r.watch_streams) +
                                 sim::ToJsonLines(r.lease_ops, "lease") +
                                 sim::ToJsonLines(r.compactions, "compact");
      artifacts->faults = r.faults;
    }
    artifacts->trace_lines = std::move(r.trace_lines);
  }
  o.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return o;
}

std::string ViolationClass(const std::string& violation) {
  const size_t colon = violation.find(':');
  if (colon == std::string::npos) return violation;
  std::string family = violation.substr(0, colon);
  std::string rest = violation.substr(colon + 1);
  auto trim = [](std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
  };
  rest = trim(rest);
  // Leading "node 3:" or "n3 " name a node: not part of the class.
  for (const char* prefix : {"node ", "n"}) {
    const size_t len = std::string_view(prefix).size();
    if (rest.compare(0, len, prefix) == 0 && rest.size() > len &&
        std::isdigit(static_cast<unsigned char>(rest[len]))) {
      size_t i = len;
      while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
      if (i < rest.size() && rest[i] == ':') ++i;
      rest = trim(rest.substr(i));
      break;
    }
  }
  // A CHECK failure: the file it fired in (line numbers move with edits).
  // The path is relative to the source root; a build through a compiler
  // cache may see it from the build directory ("../core/..."): same class.
  if (family == "crash") {
    std::string file = rest.substr(0, rest.find(':'));
    while (file.starts_with("../")) file.erase(0, 3);
    return family + ": " + file;
  }
  // Whole words up to the first one that names something specific (has a
  // digit, a quote or a parenthesis) or ends the phrase (a colon).
  std::string cls;
  size_t i = 0;
  while (i < rest.size()) {
    size_t j = rest.find(' ', i);
    if (j == std::string::npos) j = rest.size();
    std::string word = rest.substr(i, j - i);
    bool specific = false;
    for (char c : word) {
      specific = specific || std::isdigit(static_cast<unsigned char>(c)) || c == '"' || c == '(';
    }
    if (specific) break;
    const bool last = !word.empty() && word.back() == ':';
    if (last) word.pop_back();
    cls += (cls.empty() ? "" : " ") + word;
    if (last) break;
    i = j + 1;
  }
  return family + ": " + cls;
}

std::string OutcomeJson(const std::string& scenario, const SeedOutcome& o) {
  checker::json::Out out;
  out.w.StartObject();
  out.Text("scenario", scenario);
  out.Uint("seed", o.seed);
  out.Text("verdict", VerdictName(o.verdict));
  out.Key("violations");
  out.w.StartArray();
  for (const std::string& v : o.violations) out.Text(v);
  out.w.EndArray();
  out.Text("trace_hash", fmt::format("{:016x}", o.trace_hash));
  out.Uint("sim_time_ns", o.sim_time);
  out.Uint("events", o.events);
  out.Uint("ops", o.ops);
  out.Uint("faults", o.faults);
  out.Fixed("wall_ms", o.wall_ms, 1);  // one decimal, as the format has always had
  out.w.EndObject();
  return out.str();
}

}  // namespace raftlab::sweep
