#include "sim/network.h"

#include <fmt/format.h>

#include "core/raft/describe.h"

namespace raftlab::sim {

TimeNs Network::Latency() {
  TimeNs latency = prng_.Range(model_.latency_min, model_.latency_max);
  if (prng_.Chance(model_.long_tail)) latency += prng_.Range(0, model_.long_tail_max);
  return latency;
}

void Network::Send(const raft::Message& m) {
  ++sent_;
  const TimeNs now = queue_->now();
  const auto type = static_cast<uint64_t>(m.type);
  if (Blocked(m.from, m.to) || prng_.Chance(model_.drop)) {
    ++dropped_;
    trace_->Add(now, TraceKind::kDrop, m.from, m.to, type, m.term,
                "drop " + raft::DescribeMessage(m));
    if (on_drop_) on_drop_(m);
    return;
  }
  const int copies = prng_.Chance(model_.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    TimeNs at = now + Latency();
    const auto link = std::make_pair(m.from, m.to);
    if (!prng_.Chance(model_.reorder)) {
      // In order on the link: never before the previous delivery.
      TimeNs& last = last_delivery_[link];
      if (at < last) at = last;
      last = at;
    }
    if (i == 1) {
      trace_->Add(now, TraceKind::kDuplicate, m.from, m.to, type, m.term,
                  "duplicate " + raft::DescribeMessage(m));
    }
    queue_->At(at, [this, m] {
      // A partition that appeared while the message was in flight drops it too.
      if (Blocked(m.from, m.to)) {
        ++dropped_;
        trace_->Add(queue_->now(), TraceKind::kDrop, m.from, m.to, static_cast<uint64_t>(m.type),
                    m.term, "drop (partition) " + raft::DescribeMessage(m));
        if (on_drop_) on_drop_(m);
        return;
      }
      deliver_(m);
    });
  }
}

void Network::Split(const std::vector<std::vector<raft::NodeId>>& groups) {
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t h = 0; h < groups.size(); ++h) {
      if (g == h) continue;
      for (raft::NodeId a : groups[g]) {
        for (raft::NodeId b : groups[h]) Cut(a, b);
      }
    }
  }
}

void Network::Isolate(raft::NodeId id, const std::vector<raft::NodeId>& all) {
  for (raft::NodeId other : all) {
    if (other != id) CutBoth(id, other);
  }
}

}  // namespace raftlab::sim
