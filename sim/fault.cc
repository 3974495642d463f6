#include "sim/fault.h"

#include <array>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::sim {
namespace {

struct KindInfo {
  FaultKind kind;
  std::string_view name;
  bool target;
  bool amount;
};

constexpr std::array<KindInfo, static_cast<size_t>(FaultKind::kCount)> kKinds{{
    {FaultKind::kIsolate, "isolate", true, false},
    {FaultKind::kPartition, "partition", false, false},
    {FaultKind::kMinority, "minority", true, false},
    {FaultKind::kBridge, "bridge", true, false},
    {FaultKind::kRing, "ring", false, false},
    {FaultKind::kCut, "cut", true, false},
    {FaultKind::kClog, "clog", true, false},
    {FaultKind::kHeal, "heal", false, false},
    {FaultKind::kCrash, "crash", true, false},
    {FaultKind::kRestart, "restart", true, false},
    {FaultKind::kPause, "pause", true, false},
    {FaultKind::kResume, "resume", true, false},
    {FaultKind::kSlow, "slow", true, true},
    {FaultKind::kFsyncError, "fsync-error", true, false},
    {FaultKind::kDiskFull, "disk-full", true, false},
    {FaultKind::kDiskStall, "disk-stall", true, false},
    {FaultKind::kCorrupt, "corrupt-wal", true, false},
    {FaultKind::kMisdirect, "misdirect-write", true, false},
    {FaultKind::kClockJump, "clock-jump", true, true},
    {FaultKind::kClockDrift, "clock-drift", true, true},
    {FaultKind::kTransferLeader, "transfer-leader", true, false},
    {FaultKind::kRemoveMember, "remove-member", true, false},
    {FaultKind::kAddMember, "add-member", true, false},
    {FaultKind::kCompact, "compact", false, true},
    {FaultKind::kCrashAfterPropose, "crash-after-propose", true, false},
    {FaultKind::kAddLearner, "add-learner", true, false},
    {FaultKind::kSlowApply, "slow-apply", true, true},
}};

const KindInfo& Info(FaultKind kind) {
  const auto i = static_cast<size_t>(kind);
  CHECK_LT(i, kKinds.size());
  CHECK(kKinds[i].kind == kind);
  return kKinds[i];
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) { return Info(kind).name; }

std::optional<FaultKind> FaultKindFromName(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

bool FaultTakesTarget(FaultKind kind) { return Info(kind).target; }
bool FaultTakesAmount(FaultKind kind) { return Info(kind).amount; }

std::string FormatDuration(TimeNs t) {
  if (t == 0) return "0s";
  if (t % kSecond == 0) return fmt::format("{}s", t / kSecond);
  if (t % kMillisecond == 0) return fmt::format("{}ms", t / kMillisecond);
  if (t % 1000 == 0) return fmt::format("{}us", t / 1000);
  return fmt::format("{}ns", t);
}

std::string DescribeFault(const FaultEvent& e) {
  std::string out(FaultKindName(e.kind));
  if (!e.targets.empty()) out += " " + fmt::format("{}", fmt::join(e.targets, ","));
  for (size_t i = 0; i < e.groups.size(); ++i) {
    out += (i == 0 ? " " : " | ") + fmt::format("{}", fmt::join(e.groups[i], ","));
  }
  if (FaultTakesAmount(e.kind)) {
    if (e.kind == FaultKind::kClockDrift) {
      out += fmt::format(" {}ppm", e.amount);
    } else if (e.kind == FaultKind::kCompact) {
      out += fmt::format(" {} revisions behind", e.amount);
    } else {
      out += " " + (e.amount < 0 ? "-" + FormatDuration(static_cast<TimeNs>(-e.amount))
                                 : FormatDuration(static_cast<TimeNs>(e.amount)));
    }
  }
  if (e.duration != 0) out += " for " + FormatDuration(e.duration);
  return out;
}

uint64_t NodeFromName(std::string_view name) {
  if (name.size() < 2 || name[0] != 'n' || name.size() > 4) return 0;
  uint64_t id = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return 0;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  return id;
}

std::string NodeName(uint64_t id) { return fmt::format("n{}", id); }

bool IsSymbolicTarget(std::string_view name) {
  return name == "leader" || name == "follower" || name == "random";
}

}  // namespace raftlab::sim
