// Scenario loader: YAML -> Scenario, with a precise error for every way a
// file can be wrong (unknown key, wrong type, value out of range, unknown
// node, event after the end). Every error names file:line:column.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/key_chooser.h"
#include "sim/scenario/scenario.h"

namespace raftlab::sim {
namespace {

// Thrown inside this file only, turned into a Result at the edge.
struct LoadError {
  std::string message;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const YAML::Node& n, const std::string& what) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0) throw LoadError{fmt::format("{}: {}", file_, what)};
    throw LoadError{fmt::format("{}:{}:{}: {}", file_, m.line + 1, m.column + 1, what)};
  }

  std::string Got(const YAML::Node& n) const {
    if (n.IsScalar()) return fmt::format("'{}'", n.Scalar());
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    return "nothing";
  }

  // Rejects keys outside `allowed`.
  void Keys(const YAML::Node& map, const std::string& where,
            std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) Fail(map, fmt::format("{}: expected a mapping, got {}", where, Got(map)));
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        Fail(kv.first, fmt::format("{}: unknown key '{}'; expected one of: {}", where, key,
                                   fmt::join(allowed, ", ")));
      }
    }
  }

  std::string String(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) Fail(n, fmt::format("{}: expected a string, got {}", what, Got(n)));
    return n.Scalar();
  }

  int64_t Int(const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi) const {
    if (!n.IsScalar()) Fail(n, fmt::format("{}: expected an integer, got {}", what, Got(n)));
    const std::string& s = n.Scalar();
    size_t pos = 0;
    int64_t v = 0;
    try {
      v = std::stoll(s, &pos);
    } catch (...) {
      pos = 0;
    }
    if (pos == 0 || pos != s.size()) {
      Fail(n, fmt::format("{}: expected an integer, got '{}'", what, s));
    }
    if (v < lo || v > hi) {
      Fail(n, fmt::format("{}: {} is out of range; expected {}..{}", what, v, lo, hi));
    }
    return v;
  }

  bool Bool(const YAML::Node& n, const std::string& what) const {
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    Fail(n, fmt::format("{}: expected true or false, got {}", what, Got(n)));
  }

  // A probability written as a decimal in [0, 1], kept exactly as parts per million.
  Ratio Probability(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) Fail(n, fmt::format("{}: expected a probability, got {}", what, Got(n)));
    double v = -1;
    size_t pos = 0;
    try {
      v = std::stod(n.Scalar(), &pos);
    } catch (...) {
      pos = 0;
    }
    if (pos == 0 || pos != n.Scalar().size() || !(v >= 0 && v <= 1)) {
      Fail(n, fmt::format("{}: expected a probability between 0 and 1, got '{}'", what,
                          n.Scalar()));
    }
    return Ratio{static_cast<uint64_t>(std::llround(v * 1e6)), 1'000'000};
  }

  // "10ms", "2s", "1.5s", "250us", "7ns"; negative only if allowed.
  int64_t Duration(const YAML::Node& n, const std::string& what, bool allow_negative = false,
                   TimeNs max = 24 * 3600 * kSecond) const {
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    const std::string expect = fmt::format(
        "{}: expected a duration such as 10ms or 2s{}, got {}", what,
        allow_negative ? " (may be negative)" : "", Got(n));
    size_t unit = s.find_first_not_of("-+0123456789.");
    if (s.empty() || unit == 0 || unit == std::string::npos) Fail(n, expect);
    const std::string number = s.substr(0, unit);
    const std::string suffix = s.substr(unit);
    double scale = 0;
    if (suffix == "s") scale = 1e9;
    if (suffix == "ms") scale = 1e6;
    if (suffix == "us") scale = 1e3;
    if (suffix == "ns") scale = 1;
    if (suffix == "m" || suffix == "min") scale = 60e9;
    double v = 0;
    size_t pos = 0;
    try {
      v = std::stod(number, &pos);
    } catch (...) {
      pos = 0;
    }
    if (scale == 0 || pos != number.size() || pos == 0) Fail(n, expect);
    if (v < 0 && !allow_negative) Fail(n, fmt::format("{}: must not be negative", what));
    const double ns = v * scale;
    if (std::fabs(ns) > static_cast<double>(max)) {
      Fail(n, fmt::format("{}: {} is too long; at most {}", what, s, FormatDuration(max)));
    }
    return std::llround(ns);
  }

  TimeNs PositiveDuration(const YAML::Node& n, const std::string& what) const {
    const int64_t d = Duration(n, what);
    if (d == 0) Fail(n, fmt::format("{}: must be longer than 0", what));
    return static_cast<TimeNs>(d);
  }

  void MinMax(const YAML::Node& n, const std::string& what, TimeNs* lo, TimeNs* hi) const {
    Keys(n, what, {"min", "max"});
    if (n["min"]) *lo = static_cast<TimeNs>(Duration(n["min"], what + ".min"));
    if (n["max"]) *hi = static_cast<TimeNs>(Duration(n["max"], what + ".max"));
    if (*lo > *hi) Fail(n, fmt::format("{}: min ({}) is above max ({})", what,
                                       FormatDuration(*lo), FormatDuration(*hi)));
  }

  std::string Node(const YAML::Node& n, const std::string& what, int nodes,
                   bool symbolic) const {
    const std::string name = String(n, what);
    if (symbolic && IsSymbolicTarget(name)) return name;
    const uint64_t id = NodeFromName(name);
    if (id == 0 || id > static_cast<uint64_t>(nodes)) {
      Fail(n, fmt::format("{}: unknown node '{}'; expected n1..n{}{}", what, name, nodes,
                          symbolic ? ", leader, follower or random" : ""));
    }
    return name;
  }

  void Cluster(const YAML::Node& n, Scenario* s) const {
    Keys(n, "cluster",
         {"nodes", "pre_vote", "check_quorum", "read_mode", "batch_reads", "election_ticks", "heartbeat_ticks",
          "tick", "snapshot_entries", "snapshot_catchup_entries", "quota_bytes",
          "max_inflight_msgs", "max_size_per_msg", "max_uncommitted_bytes", "request_timeout",
          "max_clock_drift_ppm", "watch_progress_interval"});
    server::ServerConfig& c = s->config.server;
    if (n["nodes"]) s->config.nodes = static_cast<int>(Int(n["nodes"], "cluster.nodes", 1, 9));
    if (n["pre_vote"]) c.pre_vote = Bool(n["pre_vote"], "cluster.pre_vote");
    if (n["check_quorum"]) c.check_quorum = Bool(n["check_quorum"], "cluster.check_quorum");
    if (n["read_mode"]) {
      const std::string m = String(n["read_mode"], "cluster.read_mode");
      if (m == "safe") {
        c.read_only = raft::ReadOnlyOption::kSafe;
      } else if (m == "lease-based") {
        c.read_only = raft::ReadOnlyOption::kLeaseBased;
      } else {
        Fail(n["read_mode"], fmt::format("cluster.read_mode: expected safe or lease-based, got '{}'", m));
      }
    }
    if (n["batch_reads"]) c.batch_reads = Bool(n["batch_reads"], "cluster.batch_reads");
    if (n["election_ticks"]) {
      c.election_tick = static_cast<int>(Int(n["election_ticks"], "cluster.election_ticks", 2, 1000));
    }
    if (n["heartbeat_ticks"]) {
      c.heartbeat_tick = static_cast<int>(Int(n["heartbeat_ticks"], "cluster.heartbeat_ticks", 1, 1000));
    }
    if (c.heartbeat_tick >= c.election_tick) {
      Fail(n, fmt::format("cluster: heartbeat_ticks ({}) must be below election_ticks ({})",
                          c.heartbeat_tick, c.election_tick));
    }
    if (n["tick"]) {
      const int64_t t = Duration(n["tick"], "cluster.tick");
      if (t < static_cast<int64_t>(kMillisecond) || t % static_cast<int64_t>(kMillisecond) != 0) {
        Fail(n["tick"], "cluster.tick: expected a whole number of milliseconds, at least 1ms");
      }
      c.tick_ms = t / static_cast<int64_t>(kMillisecond);
    }
    if (n["snapshot_entries"]) {
      c.snapshot_entries = static_cast<uint64_t>(
          Int(n["snapshot_entries"], "cluster.snapshot_entries", 1, 1'000'000'000));
    }
    if (n["snapshot_catchup_entries"]) {
      c.snapshot_catchup_entries = static_cast<uint64_t>(
          Int(n["snapshot_catchup_entries"], "cluster.snapshot_catchup_entries", 0, 1'000'000'000));
    }
    if (n["quota_bytes"]) {
      c.quota_bytes = Int(n["quota_bytes"], "cluster.quota_bytes", 1, int64_t{1} << 40);
    }
    if (n["max_inflight_msgs"]) {
      c.max_inflight_msgs =
          static_cast<size_t>(Int(n["max_inflight_msgs"], "cluster.max_inflight_msgs", 1, 1 << 20));
    }
    if (n["max_size_per_msg"]) {
      c.max_size_per_msg = static_cast<uint64_t>(
          Int(n["max_size_per_msg"], "cluster.max_size_per_msg", 0, int64_t{1} << 32));
    }
    if (n["max_clock_drift_ppm"]) {
      c.max_clock_drift_ppm = static_cast<uint32_t>(
          Int(n["max_clock_drift_ppm"], "cluster.max_clock_drift_ppm", 0, 999'999));
    }
    if (n["max_uncommitted_bytes"]) {
      c.max_uncommitted_bytes = static_cast<uint64_t>(
          Int(n["max_uncommitted_bytes"], "cluster.max_uncommitted_bytes", 0, int64_t{1} << 40));
    }
    if (n["request_timeout"]) {
      c.request_timeout_ms = static_cast<int64_t>(
          PositiveDuration(n["request_timeout"], "cluster.request_timeout") / kMillisecond);
    }
    if (n["watch_progress_interval"]) {
      c.watch_progress_ms = static_cast<int64_t>(
          Duration(n["watch_progress_interval"], "cluster.watch_progress_interval") / kMillisecond);
    }
  }

  void Network(const YAML::Node& n, NetworkModel* m) const {
    Keys(n, "network", {"latency", "long_tail", "drop", "duplicate", "reorder"});
    if (n["latency"]) MinMax(n["latency"], "network.latency", &m->latency_min, &m->latency_max);
    if (n["long_tail"]) {
      Keys(n["long_tail"], "network.long_tail", {"rate", "max"});
      if (n["long_tail"]["rate"]) m->long_tail = Probability(n["long_tail"]["rate"], "network.long_tail.rate");
      if (n["long_tail"]["max"]) {
        m->long_tail_max = static_cast<TimeNs>(Duration(n["long_tail"]["max"], "network.long_tail.max"));
      }
    }
    if (n["drop"]) m->drop = Probability(n["drop"], "network.drop");
    if (n["duplicate"]) m->duplicate = Probability(n["duplicate"], "network.duplicate");
    if (n["reorder"]) m->reorder = Probability(n["reorder"], "network.reorder");
  }

  void Disk(const YAML::Node& n, DiskModel* d) const {
    Keys(n, "disk", {"fsync", "crash", "sector_bytes"});
    if (n["fsync"]) MinMax(n["fsync"], "disk.fsync", &d->fsync_min, &d->fsync_max);
    if (n["crash"]) {
      const std::string m = String(n["crash"], "disk.crash");
      if (m == "drop") {
        d->crash_mode = CrashDiskMode::kDropUnsynced;
      } else if (m == "keep") {
        d->crash_mode = CrashDiskMode::kKeepUnsynced;
      } else if (m == "torn") {
        d->crash_mode = CrashDiskMode::kTornUnsynced;
      } else if (m == "random") {
        d->crash_mode = CrashDiskMode::kRandom;
      } else {
        Fail(n["crash"], fmt::format("disk.crash: expected drop, keep, torn or random, got '{}'", m));
      }
    }
    if (n["sector_bytes"]) {
      d->sector_bytes = static_cast<uint64_t>(Int(n["sector_bytes"], "disk.sector_bytes", 1, 1 << 20));
    }
  }

  void Workload(const YAML::Node& n, WorkloadModel* w) const {
    Keys(n, "workload", {"clients", "keys", "key_distribution", "mix", "think", "timeout", "watch",
                         "lease"});
    if (n["key_distribution"]) KeyDistributionOf(n["key_distribution"], w);
    if (const YAML::Node wn = n["watch"]) {
      Keys(wn, "workload.watch", {"clients", "prefix_percent", "all_percent", "prev_kv_percent",
                                  "from_past_percent", "stall_timeout", "progress_notify_percent",
                                  "filter_percent"});
      if (wn["clients"]) w->watch_clients = static_cast<int>(Int(wn["clients"], "workload.watch.clients", 0, 1000));
      if (wn["prefix_percent"]) w->watch_prefix_percent = static_cast<uint32_t>(Int(wn["prefix_percent"], "workload.watch.prefix_percent", 0, 100));
      if (wn["all_percent"]) w->watch_all_percent = static_cast<uint32_t>(Int(wn["all_percent"], "workload.watch.all_percent", 0, 100));
      if (wn["prev_kv_percent"]) w->watch_prev_kv_percent = static_cast<uint32_t>(Int(wn["prev_kv_percent"], "workload.watch.prev_kv_percent", 0, 100));
      if (wn["from_past_percent"]) w->watch_from_past_percent = static_cast<uint32_t>(Int(wn["from_past_percent"], "workload.watch.from_past_percent", 0, 100));
      if (wn["progress_notify_percent"]) w->watch_progress_notify_percent = static_cast<uint32_t>(Int(wn["progress_notify_percent"], "workload.watch.progress_notify_percent", 0, 100));
      if (wn["filter_percent"]) w->watch_filter_percent = static_cast<uint32_t>(Int(wn["filter_percent"], "workload.watch.filter_percent", 0, 100));
      if (wn["stall_timeout"]) w->watch_stall_timeout = PositiveDuration(wn["stall_timeout"], "workload.watch.stall_timeout");
    }
    if (const YAML::Node ln = n["lease"]) {
      Keys(ln, "workload.lease", {"clients", "ttl", "keys", "keepalive_interval", "keepalives_max",
                                  "revoke_percent"});
      if (ln["clients"]) w->lease_clients = static_cast<int>(Int(ln["clients"], "workload.lease.clients", 0, 1000));
      if (ln["ttl"]) {
        const TimeNs ttl = PositiveDuration(ln["ttl"], "workload.lease.ttl");
        if (ttl % kSecond != 0) Fail(ln["ttl"], "workload.lease.ttl: expected whole seconds, e.g. 3s");
        w->lease_ttl_seconds = static_cast<int64_t>(ttl / kSecond);
      }
      if (ln["keys"]) w->lease_keys = static_cast<int>(Int(ln["keys"], "workload.lease.keys", 0, 1000));
      if (ln["keepalive_interval"]) w->lease_keepalive_interval = PositiveDuration(ln["keepalive_interval"], "workload.lease.keepalive_interval");
      if (ln["keepalives_max"]) w->lease_keepalives_max = static_cast<int>(Int(ln["keepalives_max"], "workload.lease.keepalives_max", 0, 1'000'000));
      if (ln["revoke_percent"]) w->lease_revoke_percent = static_cast<uint32_t>(Int(ln["revoke_percent"], "workload.lease.revoke_percent", 0, 100));
    }
    if (n["clients"]) w->clients = static_cast<int>(Int(n["clients"], "workload.clients", 1, 1000));
    if (n["keys"]) w->keys = static_cast<int>(Int(n["keys"], "workload.keys", 1, 1'000'000));
    if (n["think"]) w->think_max = static_cast<TimeNs>(Duration(n["think"], "workload.think"));
    if (n["timeout"]) w->request_timeout = PositiveDuration(n["timeout"], "workload.timeout");
    if (const YAML::Node mix = n["mix"]) {
      Keys(mix, "workload.mix", {"get", "put", "delete", "txn", "compact"});
      w->get = w->put = w->del = w->cas = w->compact = 0;
      if (mix["compact"]) {
        w->compact = static_cast<uint32_t>(Int(mix["compact"], "workload.mix.compact", 0, 1'000'000));
      }
      if (mix["get"]) w->get = static_cast<uint32_t>(Int(mix["get"], "workload.mix.get", 0, 1'000'000));
      if (mix["put"]) w->put = static_cast<uint32_t>(Int(mix["put"], "workload.mix.put", 0, 1'000'000));
      if (mix["delete"]) {
        w->del = static_cast<uint32_t>(Int(mix["delete"], "workload.mix.delete", 0, 1'000'000));
      }
      if (mix["txn"]) w->cas = static_cast<uint32_t>(Int(mix["txn"], "workload.mix.txn", 0, 1'000'000));
      if (w->get + w->put + w->del + w->cas == 0) Fail(mix, "workload.mix: every weight is 0");
    }
  }

  // `uniform`, `{zipf: S}` or `{hot: F}` (WorkloadModel).
  void KeyDistributionOf(const YAML::Node& n, WorkloadModel* w) const {
    const std::string what = "workload.key_distribution";
    const std::string expect = fmt::format(
        "{}: expected uniform, {{zipf: EXPONENT}} or {{hot: FRACTION}}, got {}", what, Got(n));
    if (n.IsScalar()) {
      if (n.Scalar() != "uniform") Fail(n, expect);
      w->key_distribution = KeyDistribution::kUniform;
      return;
    }
    if (!n.IsMap()) Fail(n, expect);
    if (n.size() != 1) {
      Fail(n, fmt::format("{}: expected exactly one of zipf or hot, got {} keys", what, n.size()));
    }
    const std::string kind = n.begin()->first.Scalar();
    const YAML::Node value = n.begin()->second;
    if (kind == "hot") {
      w->key_distribution = KeyDistribution::kHot;
      w->hot_fraction = Probability(value, what + ".hot");
      return;
    }
    if (kind != "zipf") {
      Fail(n.begin()->first, fmt::format("{}: unknown distribution '{}'; expected zipf or hot",
                                         what, kind));
    }
    double s = 0;
    size_t pos = 0;
    try {
      s = value.IsScalar() ? std::stod(value.Scalar(), &pos) : 0;
    } catch (...) {
      pos = 0;
    }
    if (pos == 0 || pos != value.Scalar().size() || !(s > 0 && s <= KeyChooser::kZipfExponentMax)) {
      Fail(value, fmt::format("{}.zipf: expected an exponent above 0 and at most {}, got {}", what,
                              KeyChooser::kZipfExponentMax, Got(value)));
    }
    w->key_distribution = KeyDistribution::kZipf;
    w->zipf_exponent = s;
  }

  FaultKind Kind(const YAML::Node& n, const std::string& what) const {
    const std::string name = String(n, what);
    const std::optional<FaultKind> k = FaultKindFromName(name);
    if (!k) {
      std::vector<std::string_view> names;
      for (int i = 0; i < static_cast<int>(FaultKind::kCount); ++i) {
        names.push_back(FaultKindName(static_cast<FaultKind>(i)));
      }
      Fail(n, fmt::format("{}: unknown fault '{}'; expected one of: {}", what, name,
                          fmt::join(names, ", ")));
    }
    return *k;
  }

  FaultEvent Event(const YAML::Node& n, const std::string& where, const Scenario& s) const {
    Keys(n, where, {"at", "do", "target", "targets", "from", "to", "groups", "for", "by",
                    "ppm", "delay", "revisions"});
    if (!n["at"]) Fail(n, where + ": missing 'at' (when the fault fires, e.g. at: 2s)");
    if (!n["do"]) Fail(n, where + ": missing 'do' (the fault, e.g. do: isolate)");
    FaultEvent e;
    e.at = static_cast<TimeNs>(Duration(n["at"], where + ".at"));
    if (e.at >= s.config.duration) {
      Fail(n["at"], fmt::format("{}.at: {} is not before the end of the run (duration {})",
                                where, FormatDuration(e.at), FormatDuration(s.config.duration)));
    }
    e.kind = Kind(n["do"], where + ".do");
    const int nodes = s.config.nodes;
    if (n["target"]) e.targets.push_back(Node(n["target"], where + ".target", nodes, true));
    if (n["targets"]) {
      if (!n["targets"].IsSequence()) Fail(n["targets"], where + ".targets: expected a list of nodes");
      for (const auto& t : n["targets"]) e.targets.push_back(Node(t, where + ".targets", nodes, true));
    }
    if (n["from"]) e.targets.insert(e.targets.begin(), Node(n["from"], where + ".from", nodes, true));
    if (n["to"]) {
      const YAML::Node to = n["to"];
      if (to.IsSequence()) {
        for (const auto& t : to) e.targets.push_back(Node(t, where + ".to", nodes, true));
      } else {
        e.targets.push_back(Node(to, where + ".to", nodes, true));
      }
    }
    if (n["groups"]) {
      if (e.kind != FaultKind::kPartition) Fail(n["groups"], where + ": groups is only for do: partition");
      if (!n["groups"].IsSequence()) Fail(n["groups"], where + ".groups: expected a list of lists of nodes");
      std::set<std::string> seen;
      for (const auto& g : n["groups"]) {
        if (!g.IsSequence()) Fail(g, where + ".groups: expected a list of nodes such as [n1, n2]");
        e.groups.emplace_back();
        for (const auto& name : g) {
          e.groups.back().push_back(Node(name, where + ".groups", nodes, false));
          if (!seen.insert(name.Scalar()).second) {
            Fail(name, fmt::format("{}.groups: {} is in two groups", where, name.Scalar()));
          }
        }
      }
      if (e.groups.size() < 2) Fail(n["groups"], where + ".groups: expected at least two groups");
    }
    if (e.kind == FaultKind::kPartition && e.groups.empty()) {
      Fail(n, where + ": do: partition needs groups, e.g. groups: [[n1, n2], [n3]]");
    }
    if (e.kind == FaultKind::kCut && e.targets.size() < 2) {
      Fail(n, where + ": do: cut needs from: and to: (a one-way cut from one node to others)");
    }
    const bool needs_target = FaultTakesTarget(e.kind) && e.kind != FaultKind::kMinority &&
                              e.kind != FaultKind::kBridge && e.kind != FaultKind::kTransferLeader;
    if (needs_target && e.targets.empty()) {
      Fail(n, fmt::format("{}: do: {} needs a target (n1..n{}, leader, follower or random)", where,
                          FaultKindName(e.kind), nodes));
    }
    if (!FaultTakesTarget(e.kind) && !e.targets.empty()) {
      Fail(n, fmt::format("{}: do: {} takes no target", where, FaultKindName(e.kind)));
    }
    if (e.kind == FaultKind::kBridge && e.targets.empty()) e.targets.push_back("random");
    if (e.kind == FaultKind::kTransferLeader && e.targets.empty()) e.targets.push_back("follower");
    if (n["for"]) e.duration = PositiveDuration(n["for"], where + ".for");
    auto amount = [&](const char* key, FaultKind kind, std::optional<FaultKind> also = {}) {
      if (!n[key] || e.kind == kind || e.kind == also) return;
      Fail(n[key], fmt::format("{}: '{}' is only for do: {}{}", where, key, FaultKindName(kind),
                               also ? fmt::format(" or {}", FaultKindName(*also)) : ""));
    };
    amount("by", FaultKind::kClockJump);
    amount("ppm", FaultKind::kClockDrift);
    amount("delay", FaultKind::kSlow, FaultKind::kSlowApply);
    amount("revisions", FaultKind::kCompact);
    if (n["by"]) e.amount = Duration(n["by"], where + ".by", true);
    if (n["ppm"]) e.amount = Int(n["ppm"], where + ".ppm", -900'000, 10'000'000);
    if (n["delay"]) e.amount = Duration(n["delay"], where + ".delay");
    if (n["revisions"]) e.amount = Int(n["revisions"], where + ".revisions", 0, 1'000'000'000);
    const char* needed = e.kind == FaultKind::kClockJump    ? "by"
                         : e.kind == FaultKind::kClockDrift ? "ppm"
                         : e.kind == FaultKind::kSlow       ? "delay"
                         : e.kind == FaultKind::kSlowApply  ? "delay"
                                                            : nullptr;
    if (needed != nullptr && !n[needed]) {
      Fail(n, fmt::format("{}: do: {} needs '{}'", where, FaultKindName(e.kind), needed));
    }
    return e;
  }

  void Nemesis(const YAML::Node& n, NemesisModel* m) const {
    Keys(n, "nemesis", {"enabled", "interval", "duration", "faults"});
    m->enabled = n["enabled"] ? Bool(n["enabled"], "nemesis.enabled") : true;
    if (n["interval"]) MinMax(n["interval"], "nemesis.interval", &m->interval_min, &m->interval_max);
    if (m->interval_min == 0) Fail(n, "nemesis.interval: min must be above 0");
    if (n["duration"]) MinMax(n["duration"], "nemesis.duration", &m->fault_min, &m->fault_max);
    if (n["faults"]) {
      if (!n["faults"].IsSequence()) Fail(n["faults"], "nemesis.faults: expected a list of fault names");
      m->kinds.clear();
      for (const auto& k : n["faults"]) {
        const FaultKind kind = Kind(k, "nemesis.faults");
        if (kind == FaultKind::kPartition || kind == FaultKind::kRestart ||
            kind == FaultKind::kResume || kind == FaultKind::kHeal ||
            kind == FaultKind::kAddMember) {
          // The nemesis ends its faults itself; these only make sense in a schedule.
          Fail(k, fmt::format("nemesis.faults: '{}' is for timed faults only", k.Scalar()));
        }
        m->kinds.push_back(kind);
      }
      if (m->kinds.empty()) Fail(n["faults"], "nemesis.faults: expected at least one fault");
    }
  }

  void Expect(const YAML::Node& n, Scenario* s) const {
    Keys(n, "expect", {"checkers", "liveness_bound", "availability_bound", "violation"});
    if (n["availability_bound"]) {
      s->config.availability_bound =
          static_cast<TimeNs>(Duration(n["availability_bound"], "expect.availability_bound"));
    }
    if (n["checkers"]) {
      if (!n["checkers"].IsSequence()) Fail(n["checkers"], "expect.checkers: expected a list");
      for (const auto& c : n["checkers"]) {
        const std::string name = String(c, "expect.checkers");
        bool known = false;
        for (const char* k : kCheckerNames) known = known || name == k;
        if (!known) {
          Fail(c, fmt::format("expect.checkers: unknown checker '{}'; expected one of: {}", name,
                              fmt::join(kCheckerNames, ", ")));
        }
        s->expect.checkers.push_back(name);
      }
    }
    if (n["liveness_bound"]) {
      s->config.liveness_bound = PositiveDuration(n["liveness_bound"], "expect.liveness_bound");
    }
    if (n["violation"]) {
      s->expect.violation = String(n["violation"], "expect.violation");
      if (s->expect.violation == "none") s->expect.violation.clear();
    }
  }

  void Seeds(const YAML::Node& n, Scenario* s) const {
    const std::string v = String(n, "seeds");
    const size_t dots = v.find("..");
    try {
      size_t pos = 0;
      if (dots == std::string::npos) {
        s->seed_first = s->seed_last = std::stoull(v, &pos);
        if (pos != v.size()) throw 0;
      } else {
        s->seed_first = std::stoull(v.substr(0, dots), &pos);
        if (pos != dots) throw 0;
        const std::string last = v.substr(dots + 2);
        s->seed_last = std::stoull(last, &pos);
        if (pos != last.size()) throw 0;
      }
    } catch (...) {
      Fail(n, fmt::format("seeds: expected a seed or a range such as 1..100, got '{}'", v));
    }
    if (s->seed_first > s->seed_last) Fail(n, "seeds: the range is empty (first > last)");
  }

  Scenario Load(const YAML::Node& root) const {
    Scenario s;
    s.file = file_;
    // Probabilities are parts per million everywhere, defaults included, so a
    // scenario written back out draws exactly the same numbers.
    for (Ratio* r : {&s.config.network.long_tail, &s.config.network.drop,
                     &s.config.network.duplicate, &s.config.network.reorder}) {
      *r = Ratio{r->num * 1'000'000 / r->den, 1'000'000};
    }
    Keys(root, "scenario",
         {"name", "description", "seeds", "duration", "bugs", "swarm", "cluster", "network",
          "disk", "workload", "faults", "nemesis", "expect", "checker"});
    if (!root["name"]) Fail(root, "scenario: missing 'name'");
    s.name = String(root["name"], "name");
    if (root["description"]) s.description = String(root["description"], "description");
    if (root["seeds"]) Seeds(root["seeds"], &s);
    if (root["duration"]) s.config.duration = PositiveDuration(root["duration"], "duration");
    if (root["bugs"]) {
      if (!root["bugs"].IsSequence()) Fail(root["bugs"], "bugs: expected a list of bug names");
      for (const auto& b : root["bugs"]) {
        const std::string name = String(b, "bugs");
        const std::optional<Bug> bug = BugFromName(name);
        if (!bug) Fail(b, fmt::format("bugs: unknown bug '{}'; `raftlab zoo --list` names them", name));
        s.bugs.Add(*bug);
      }
    }
    if (root["swarm"]) s.swarm = Bool(root["swarm"], "swarm");
    // The cluster first: node names in faults are checked against its size.
    if (root["cluster"]) Cluster(root["cluster"], &s);
    if (root["network"]) Network(root["network"], &s.config.network);
    if (root["disk"]) Disk(root["disk"], &s.config.disk);
    if (root["workload"]) Workload(root["workload"], &s.config.workload);
    if (root["nemesis"]) Nemesis(root["nemesis"], &s.config.nemesis);
    if (root["expect"]) Expect(root["expect"], &s);
    if (root["checker"]) {
      const YAML::Node c = root["checker"];
      Keys(c, "checker", {"model", "timeout"});
      if (c["model"]) {
        s.model = String(c["model"], "checker.model");
        if (s.model != "etcd" && s.model != "kv" && s.model != "cas-register" && s.model != "none") {
          Fail(c["model"], fmt::format("checker.model: expected etcd, kv, cas-register or none, got '{}'", s.model));
        }
      }
      if (c["timeout"]) s.check_timeout = PositiveDuration(c["timeout"], "checker.timeout");
    }
    if (root["faults"]) {
      if (!root["faults"].IsSequence()) Fail(root["faults"], "faults: expected a list of timed faults");
      size_t i = 0;
      for (const auto& f : root["faults"]) {
        s.config.schedule.push_back(Event(f, fmt::format("faults[{}]", i++), s));
      }
    }
    return s;
  }

 private:
  std::string file_;
};

}  // namespace

bool Expectations::Checks(const std::string& family) const {
  return checkers.empty() || std::find(checkers.begin(), checkers.end(), family) != checkers.end();
}

Result<Scenario> LoadScenarioFromString(const std::string& yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}:{}:{}: not valid YAML: {}", file, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
  }
  try {
    return Loader(file).Load(root);
  } catch (const LoadError& e) {
    return MakeError(ErrorCode::kInvalidArgument, e.message);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}:{}:{}: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::string text;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot open the scenario file", path));
    }
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return LoadScenarioFromString(text, path);
}

}  // namespace raftlab::sim
