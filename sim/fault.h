// Faults: one vocabulary for every fault the simulator can inject, shared by
// timed schedules (scenario `faults:`), the random nemesis, and the shrinker.
//
// A FaultEvent names its targets symbolically ("n2", "leader", "follower",
// "random", "minority", ...); they resolve when the event fires, so a
// schedule written against a leader stays meaningful when code changes move
// elections around. An event with a duration undoes itself when it ends
// (heal its own partition, restart, resume, restore the clock rate, clear
// the disk fault). The nemesis records every fault it fires as a FaultEvent
// with its targets resolved, so a random run can be replayed as an explicit
// schedule and shrunk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/event_queue.h"

namespace raftlab::sim {

enum class FaultKind : uint8_t {
  // Network.
  kIsolate,    // targets[0] cut off from everyone, both ways
  kPartition,  // groups: nodes in different groups cannot talk
  kMinority,   // a random minority (with the leader if "target: leader") cut off
  kBridge,     // two halves joined only through one node (targets[0], default random)
  kRing,       // majorities ring: each node reaches only its ring neighbours
  kCut,        // one-way: targets[0] can no longer reach targets[1..]
  kClog,       // links of targets[0] hold messages until the fault ends
  kHeal,       // every partition and clog ends
  // Processes.
  kCrash,    // volatile state lost; unsynced writes as the disk model says
  kRestart,  // start a crashed member from its disk
  kPause,    // no ticks, no delivery (held until resume); clock keeps running
  kResume,
  kSlow,  // Ready handling of targets[0] delayed by `amount` nanoseconds
  // Disks.
  kFsyncError,  // the next fsync fails (EIO): the member stops
  kDiskFull,    // writes fail (ENOSPC) until the fault ends: the member stops
  kDiskStall,   // fsyncs do not complete until the fault ends
  kCorrupt,     // flip a bit in a durable WAL record (detected at restart)
  kMisdirect,   // a durable WAL record is overwritten by bytes meant elsewhere
  // Clocks.
  kClockJump,   // local clock jumps by `amount` nanoseconds (may be negative)
  kClockDrift,  // local clock rate off by `amount` parts per million
  // Cluster operations.
  kTransferLeader,  // the leader hands off to targets[0] (default: a random follower)
  kRemoveMember,    // a conf change removing targets[0]
  kAddMember,       // a conf change adding targets[0] back as a voter
  kCompact,         // compact the KV store `amount` revisions behind the head
  // Appended after the original kinds: a kind's number is folded into trace
  // hashes, so existing kinds keep theirs.
  kCrashAfterPropose,  // crash targets[0] once it next appends as leader, before sending
  kAddLearner,        // a conf change making targets[0] a learner (demoting a voter)
  kSlowApply,         // targets[0] applies committed entries `amount` ns after persisting them
  kCount,
};

struct FaultEvent {
  TimeNs at = 0;
  FaultKind kind = FaultKind::kHeal;
  std::vector<std::string> targets;              // symbolic node names
  std::vector<std::vector<std::string>> groups;  // kPartition
  TimeNs duration = 0;                           // 0: permanent until healed
  int64_t amount = 0;                            // ns, ppm or revisions, by kind
};

std::string_view FaultKindName(FaultKind kind);  // "isolate", "clock-drift", ...
std::optional<FaultKind> FaultKindFromName(std::string_view name);
// Whether the kind takes a node target / an `amount`.
bool FaultTakesTarget(FaultKind kind);
bool FaultTakesAmount(FaultKind kind);
// "2s", "150ms", "10us", "7ns": the largest unit that divides evenly.
std::string FormatDuration(TimeNs t);
// One-line description for traces and reports: "isolate leader for 2s".
std::string DescribeFault(const FaultEvent& e);

// "n3" -> 3; 0 when the name is not of that form.
uint64_t NodeFromName(std::string_view name);
std::string NodeName(uint64_t id);
// Targets that resolve when the event fires.
bool IsSymbolicTarget(std::string_view name);  // leader, follower, random

}  // namespace raftlab::sim
