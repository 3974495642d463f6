// Scenario writer: Scenario -> YAML that the loader reads back to the same
// scenario. Every knob is written out, so a pinned or shrunk scenario does
// not depend on today's defaults.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/scenario/scenario.h"

namespace raftlab::sim {
namespace {

std::string Prob(Ratio r) {
  // Probabilities are kept as parts per million (see the loader).
  const double v = static_cast<double>(r.num) / static_cast<double>(r.den);
  return fmt::format("{}", v);
}

std::string Dur(int64_t ns) {
  return ns < 0 ? "-" + FormatDuration(static_cast<TimeNs>(-ns))
                : FormatDuration(static_cast<TimeNs>(ns));
}

void MinMax(YAML::Emitter& out, const char* key, TimeNs lo, TimeNs hi) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "min"
      << YAML::Value << Dur(static_cast<int64_t>(lo)) << YAML::Key << "max" << YAML::Value
      << Dur(static_cast<int64_t>(hi)) << YAML::EndMap;
}

const char* CrashName(CrashDiskMode m) {
  switch (m) {
    case CrashDiskMode::kDropUnsynced: return "drop";
    case CrashDiskMode::kKeepUnsynced: return "keep";
    case CrashDiskMode::kTornUnsynced: return "torn";
    case CrashDiskMode::kRandom: return "random";
  }
  return "random";
}

void Event(YAML::Emitter& out, const FaultEvent& e) {
  out << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "at" << YAML::Value << Dur(static_cast<int64_t>(e.at));
  out << YAML::Key << "do" << YAML::Value << std::string(FaultKindName(e.kind));
  if (e.kind == FaultKind::kCut) {
    out << YAML::Key << "from" << YAML::Value << e.targets.front();
    out << YAML::Key << "to" << YAML::Value << YAML::Flow
        << std::vector<std::string>(e.targets.begin() + 1, e.targets.end());
  } else if (e.targets.size() == 1) {
    out << YAML::Key << "target" << YAML::Value << e.targets.front();
  } else if (!e.targets.empty()) {
    out << YAML::Key << "targets" << YAML::Value << YAML::Flow << e.targets;
  }
  if (!e.groups.empty()) {
    out << YAML::Key << "groups" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& g : e.groups) out << YAML::Flow << g;
    out << YAML::EndSeq;
  }
  if (e.duration != 0) out << YAML::Key << "for" << YAML::Value << Dur(static_cast<int64_t>(e.duration));
  switch (e.kind) {
    case FaultKind::kClockJump: out << YAML::Key << "by" << YAML::Value << Dur(e.amount); break;
    case FaultKind::kClockDrift: out << YAML::Key << "ppm" << YAML::Value << e.amount; break;
    case FaultKind::kSlow:
    case FaultKind::kSlowApply: out << YAML::Key << "delay" << YAML::Value << Dur(e.amount); break;
    case FaultKind::kCompact: out << YAML::Key << "revisions" << YAML::Value << e.amount; break;
    default: break;
  }
  out << YAML::EndMap;
}

}  // namespace

std::string WriteScenario(const Scenario& s, const std::string& header_comment) {
  const SimConfig& c = s.config;
  const server::ServerConfig& sc = c.server;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << s.name;
  if (!s.description.empty()) out << YAML::Key << "description" << YAML::Value << s.description;
  out << YAML::Key << "seeds" << YAML::Value
      << (s.seed_first == s.seed_last ? fmt::format("{}", s.seed_first)
                                      : fmt::format("{}..{}", s.seed_first, s.seed_last));
  out << YAML::Key << "duration" << YAML::Value << Dur(static_cast<int64_t>(c.duration));
  if (!s.bugs.empty()) {
    out << YAML::Key << "bugs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const BugInfo& b : AllBugs()) {
      if (s.bugs.Has(b.bug)) out << b.name;
    }
    out << YAML::EndSeq;
  }
  if (s.swarm) out << YAML::Key << "swarm" << YAML::Value << true;

  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "nodes" << YAML::Value << c.nodes;
  out << YAML::Key << "pre_vote" << YAML::Value << sc.pre_vote;
  out << YAML::Key << "check_quorum" << YAML::Value << sc.check_quorum;
  out << YAML::Key << "read_mode" << YAML::Value
      << (sc.read_only == raft::ReadOnlyOption::kSafe ? "safe" : "lease-based");
  out << YAML::Key << "batch_reads" << YAML::Value << sc.batch_reads;
  out << YAML::Key << "max_clock_drift_ppm" << YAML::Value << sc.max_clock_drift_ppm;
  out << YAML::Key << "election_ticks" << YAML::Value << sc.election_tick;
  out << YAML::Key << "heartbeat_ticks" << YAML::Value << sc.heartbeat_tick;
  out << YAML::Key << "tick" << YAML::Value << fmt::format("{}ms", sc.tick_ms);
  out << YAML::Key << "snapshot_entries" << YAML::Value << sc.snapshot_entries;
  out << YAML::Key << "snapshot_catchup_entries" << YAML::Value << sc.snapshot_catchup_entries;
  out << YAML::Key << "quota_bytes" << YAML::Value << sc.quota_bytes;
  out << YAML::Key << "max_inflight_msgs" << YAML::Value << sc.max_inflight_msgs;
  out << YAML::Key << "max_size_per_msg" << YAML::Value << sc.max_size_per_msg;
  out << YAML::Key << "max_uncommitted_bytes" << YAML::Value << sc.max_uncommitted_bytes;
  out << YAML::Key << "request_timeout" << YAML::Value << fmt::format("{}ms", sc.request_timeout_ms);
  out << YAML::Key << "watch_progress_interval" << YAML::Value
      << fmt::format("{}ms", sc.watch_progress_ms);
  out << YAML::EndMap;

  const NetworkModel& n = c.network;
  out << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  MinMax(out, "latency", n.latency_min, n.latency_max);
  out << YAML::Key << "long_tail" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "rate" << YAML::Value << Prob(n.long_tail) << YAML::Key << "max" << YAML::Value
      << Dur(static_cast<int64_t>(n.long_tail_max)) << YAML::EndMap;
  out << YAML::Key << "drop" << YAML::Value << Prob(n.drop);
  out << YAML::Key << "duplicate" << YAML::Value << Prob(n.duplicate);
  out << YAML::Key << "reorder" << YAML::Value << Prob(n.reorder);
  out << YAML::EndMap;

  out << YAML::Key << "disk" << YAML::Value << YAML::BeginMap;
  MinMax(out, "fsync", c.disk.fsync_min, c.disk.fsync_max);
  out << YAML::Key << "crash" << YAML::Value << CrashName(c.disk.crash_mode);
  out << YAML::Key << "sector_bytes" << YAML::Value << c.disk.sector_bytes;
  out << YAML::EndMap;

  const WorkloadModel& w = c.workload;
  out << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "clients" << YAML::Value << w.clients;
  out << YAML::Key << "keys" << YAML::Value << w.keys;
  out << YAML::Key << "key_distribution" << YAML::Value;
  switch (w.key_distribution) {
    case KeyDistribution::kUniform: out << "uniform"; break;
    case KeyDistribution::kZipf:
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "zipf" << YAML::Value
          << fmt::format("{}", w.zipf_exponent) << YAML::EndMap;
      break;
    case KeyDistribution::kHot:
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "hot" << YAML::Value
          << Prob(w.hot_fraction) << YAML::EndMap;
      break;
  }
  out << YAML::Key << "mix" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "get"
      << YAML::Value << w.get << YAML::Key << "put" << YAML::Value << w.put << YAML::Key
      << "delete" << YAML::Value << w.del << YAML::Key << "txn" << YAML::Value << w.cas
      << YAML::Key << "compact" << YAML::Value << w.compact << YAML::EndMap;
  out << YAML::Key << "think" << YAML::Value << Dur(static_cast<int64_t>(w.think_max));
  out << YAML::Key << "timeout" << YAML::Value << Dur(static_cast<int64_t>(w.request_timeout));
  if (w.watch_clients > 0) {
    out << YAML::Key << "watch" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "clients" << YAML::Value << w.watch_clients;
    out << YAML::Key << "prefix_percent" << YAML::Value << w.watch_prefix_percent;
    out << YAML::Key << "all_percent" << YAML::Value << w.watch_all_percent;
    out << YAML::Key << "prev_kv_percent" << YAML::Value << w.watch_prev_kv_percent;
    out << YAML::Key << "from_past_percent" << YAML::Value << w.watch_from_past_percent;
    out << YAML::Key << "progress_notify_percent" << YAML::Value << w.watch_progress_notify_percent;
    out << YAML::Key << "filter_percent" << YAML::Value << w.watch_filter_percent;
    out << YAML::Key << "stall_timeout" << YAML::Value << Dur(static_cast<int64_t>(w.watch_stall_timeout));
    out << YAML::EndMap;
  }
  if (w.lease_clients > 0) {
    out << YAML::Key << "lease" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "clients" << YAML::Value << w.lease_clients;
    out << YAML::Key << "ttl" << YAML::Value << fmt::format("{}s", w.lease_ttl_seconds);
    out << YAML::Key << "keys" << YAML::Value << w.lease_keys;
    out << YAML::Key << "keepalive_interval" << YAML::Value << Dur(static_cast<int64_t>(w.lease_keepalive_interval));
    out << YAML::Key << "keepalives_max" << YAML::Value << w.lease_keepalives_max;
    out << YAML::Key << "revoke_percent" << YAML::Value << w.lease_revoke_percent;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;

  if (!c.schedule.empty()) {
    out << YAML::Key << "faults" << YAML::Value << YAML::BeginSeq;
    for (const FaultEvent& e : c.schedule) Event(out, e);
    out << YAML::EndSeq;
  }
  const NemesisModel& m = c.nemesis;
  if (m.enabled) {
    out << YAML::Key << "nemesis" << YAML::Value << YAML::BeginMap;
    MinMax(out, "interval", m.interval_min, m.interval_max);
    MinMax(out, "duration", m.fault_min, m.fault_max);
    out << YAML::Key << "faults" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (FaultKind k : m.kinds) out << std::string(FaultKindName(k));
    out << YAML::EndSeq << YAML::EndMap;
  }

  out << YAML::Key << "expect" << YAML::Value << YAML::BeginMap;
  if (!s.expect.checkers.empty()) {
    out << YAML::Key << "checkers" << YAML::Value << YAML::Flow << s.expect.checkers;
  }
  out << YAML::Key << "liveness_bound" << YAML::Value << Dur(static_cast<int64_t>(c.liveness_bound));
  out << YAML::Key << "availability_bound" << YAML::Value
      << Dur(static_cast<int64_t>(c.availability_bound));
  if (!s.expect.violation.empty()) out << YAML::Key << "violation" << YAML::Value << s.expect.violation;
  out << YAML::EndMap;
  out << YAML::Key << "checker" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "model" << YAML::Value << s.model << YAML::Key << "timeout" << YAML::Value
      << Dur(static_cast<int64_t>(s.check_timeout)) << YAML::EndMap;
  out << YAML::EndMap;

  std::string text;
  if (!header_comment.empty()) {
    size_t start = 0;
    while (start <= header_comment.size()) {
      const size_t end = header_comment.find('\n', start);
      const std::string line = header_comment.substr(start, end - start);
      text += line.empty() ? "#\n" : "# " + line + "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return text + out.c_str() + "\n";
}

}  // namespace raftlab::sim
