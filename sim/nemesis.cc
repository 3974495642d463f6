#include "sim/nemesis.h"

#include "core/base/check.h"

namespace raftlab::sim {

void Nemesis::Start() {
  if (!model_.enabled || model_.kinds.empty()) return;
  on_ = true;
  ScheduleNext();
}

void Nemesis::ScheduleNext() {
  const TimeNs wait = prng_.Range(model_.interval_min, model_.interval_max);
  queue_->After(wait, [this] {
    if (!on_) return;
    injector_->Fire(Draw());
    ScheduleNext();
  });
}

std::string Nemesis::Target() {
  if (prng_.Chance(Ratio{1, 3})) return "leader";
  return NodeName(prng_.Range(1, static_cast<uint64_t>(nodes_)));
}

FaultEvent Nemesis::Draw() {
  FaultEvent e;
  e.kind = model_.kinds[prng_.Index(model_.kinds.size())];
  e.duration = prng_.Range(model_.fault_min, model_.fault_max);
  if (FaultTakesTarget(e.kind)) e.targets.push_back(Target());
  switch (e.kind) {
    case FaultKind::kPartition: {
      // Two random groups, neither empty.
      std::vector<std::string> a;
      std::vector<std::string> b;
      const uint64_t split = prng_.Range(1, static_cast<uint64_t>(nodes_ - 1));
      std::vector<uint64_t> ids;
      for (int i = 1; i <= nodes_; ++i) ids.push_back(static_cast<uint64_t>(i));
      for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[prng_.Index(i)]);
      for (size_t i = 0; i < ids.size(); ++i) (i < split ? a : b).push_back(NodeName(ids[i]));
      e.groups = {a, b};
      break;
    }
    case FaultKind::kCut:
      e.targets.push_back(NodeName(prng_.Range(1, static_cast<uint64_t>(nodes_))));
      if (e.targets[1] == e.targets[0]) e.targets[1] = "follower";
      break;
    case FaultKind::kTransferLeader:
      e.targets = {"follower"};
      break;
    case FaultKind::kSlow:
      e.amount = static_cast<int64_t>(prng_.Range(20 * kMillisecond, 500 * kMillisecond));
      break;
    case FaultKind::kSlowApply:
      e.amount = static_cast<int64_t>(prng_.Range(200 * kMillisecond, 3 * kSecond));
      break;
    case FaultKind::kClockJump:
      e.amount = static_cast<int64_t>(prng_.Range(0, 10 * kSecond)) - 5 * static_cast<int64_t>(kSecond);
      break;
    case FaultKind::kClockDrift:
      // Up to +/-50%: the node's ticks (timeouts, lease timing) speed up or slow down.
      e.amount = static_cast<int64_t>(prng_.Range(0, 1'000'000)) - 500'000;
      break;
    case FaultKind::kCompact:
      e.amount = static_cast<int64_t>(prng_.Range(0, 20));
      break;
    default:
      break;
  }
  return e;
}

}  // namespace raftlab::sim
