// Seed runner: one seed of a scenario, judged. Runs the simulation (its
// Raft, storage and liveness checks happen inside), then the
// linearizability checker on the client history, and keeps only the
// violation families the scenario asks for. The outcome is a pure function
// of (scenario, seed) except wall_ms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

namespace raftlab::sweep {

enum class Verdict { kPass, kFail, kUnknown };
const char* VerdictName(Verdict v);  // "pass", "fail", "unknown"

struct SeedOutcome {
  uint64_t seed = 0;
  Verdict verdict = Verdict::kPass;
  std::vector<std::string> violations;  // "family: what happened"
  uint64_t trace_hash = 0;
  sim::TimeNs sim_time = 0;
  uint64_t events = 0;
  uint64_t ops = 0;
  uint64_t faults = 0;
  double wall_ms = 0;  // informational only; never part of a verdict
};

struct SeedArtifacts {
  std::string history_jsonl;
  std::vector<std::string> trace_lines;
  std::string explanation;               // the checker's, for a history violation
  std::vector<sim::FaultEvent> faults;   // every fault fired, targets resolved
};

struct RunOptions {
  bool keep_trace = false;  // SeedArtifacts::trace_lines
  sim::TraceSink* trace_sink = nullptr;  // not owned: streams the trace lines (sim::SimConfig)
  bool keep_artifacts = false;  // history, explanation, faults
};

SeedOutcome RunSeed(const sim::Scenario& scenario, uint64_t seed, const RunOptions& options,
                    SeedArtifacts* artifacts);

// The family and kind of a violation with the specifics (node ids, indexes,
// values) left out, so two runs can be compared: "raft: election safety".
std::string ViolationClass(const std::string& violation);

// One results.jsonl line (docs: scenarios/README.md), for `scenario`.
std::string OutcomeJson(const std::string& scenario, const SeedOutcome& o);

}  // namespace raftlab::sweep
