#include "sim/network.h"

#include <fmt/format.h>

#include "core/raft/describe.h"

namespace raftlab::sim {

TimeNs Network::Latency() {
  TimeNs latency = prng_.Range(model_.latency_min, model_.latency_max);
  if (prng_.Chance(model_.long_tail)) latency += prng_.Range(0, model_.long_tail_max);
  return latency;
}

void Network::Send(raft::Message m) {
  ++sent_;
  const TimeNs now = queue_->now();
  const auto type = static_cast<uint64_t>(m.type);
  if (Blocked(m.from, m.to) || prng_.Chance(model_.drop)) {
    ++dropped_;
    trace_->Add(now, TraceKind::kDrop, m.from, m.to, type, m.term,
                [&] { return "drop " + raft::DescribeMessage(m); });
    if (on_drop_) on_drop_(m);
    return;
  }
  const int copies = prng_.Chance(model_.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    if (i == 1) {
      trace_->Add(now, TraceKind::kDuplicate, m.from, m.to, type, m.term,
                  [&] { return "duplicate " + raft::DescribeMessage(m); });
    }
    const bool reorder = prng_.Chance(model_.reorder);
    // Only the last copy may take the message.
    raft::Message copy = i + 1 < copies ? m : std::move(m);
    if (Clogged(copy)) {
      held_.push_back(std::move(copy));
      continue;
    }
    Schedule(std::move(copy), reorder);
  }
}

void Network::Schedule(raft::Message m, bool reorder) {
  TimeNs at = queue_->now() + Latency();
  if (!reorder) {
    // In order on the link: never before the previous delivery.
    TimeNs& last = last_delivery_[{m.from, m.to}];
    if (at < last) at = last;
    last = at;
  }
  queue_->At(at, [this, m = std::move(m)] {
    // A partition that appeared while the message was in flight drops it too.
    if (Blocked(m.from, m.to)) {
      ++dropped_;
      trace_->Add(queue_->now(), TraceKind::kDrop, m.from, m.to, static_cast<uint64_t>(m.type),
                  m.term, [&] { return "drop (partition) " + raft::DescribeMessage(m); });
      if (on_drop_) on_drop_(m);
      return;
    }
    deliver_(m);
  });
}

uint64_t Network::Block(const std::vector<Link>& links) {
  const uint64_t tag = ++next_tag_;
  for (const Link& l : links) ++blocked_[l];
  partitions_[tag] = links;
  return tag;
}

void Network::Unblock(uint64_t tag) {
  auto it = partitions_.find(tag);
  if (it == partitions_.end()) return;  // already healed
  for (const Link& l : it->second) {
    auto b = blocked_.find(l);
    if (b != blocked_.end() && --b->second == 0) blocked_.erase(b);
  }
  partitions_.erase(it);
}

void Network::Heal() {
  blocked_.clear();
  partitions_.clear();
  clogs_.clear();
  ReleaseHeld();
}

std::vector<Network::Link> Network::SplitLinks(
    const std::vector<std::vector<raft::NodeId>>& groups) {
  std::vector<Link> links;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t h = 0; h < groups.size(); ++h) {
      if (g == h) continue;
      for (raft::NodeId a : groups[g]) {
        for (raft::NodeId b : groups[h]) links.emplace_back(a, b);
      }
    }
  }
  return links;
}

uint64_t Network::Clog(raft::NodeId node) {
  const uint64_t tag = ++next_tag_;
  clogs_[tag] = node;
  return tag;
}

void Network::Unclog(uint64_t tag) {
  if (clogs_.erase(tag) == 0) return;
  ReleaseHeld();
}

bool Network::NodeClogged(raft::NodeId node) const {
  for (const auto& [tag, n] : clogs_) {
    if (n == node) return true;
  }
  return false;
}

bool Network::Clogged(const raft::Message& m) const {
  for (const auto& [tag, node] : clogs_) {
    if (m.from == node || m.to == node) return true;
  }
  return false;
}

void Network::ReleaseHeld() {
  std::vector<raft::Message> held = std::exchange(held_, {});
  for (raft::Message& m : held) {
    if (Clogged(m)) {
      held_.push_back(std::move(m));
    } else {
      Schedule(std::move(m), false);
    }
  }
}

}  // namespace raftlab::sim
