// EventList: the doubly linked list of call and return events of the WGL search.
//
// Contract: events sorted by time, calls before returns at equal times
// (intervals are closed), then by op index; Lift/Unlift remove and restore an
// op's two events in O(1), and Unlift restores exactly what Lift removed
// when applied in reverse order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "checker/wgl_search.h"

namespace raftlab::checker {

// The doubly linked list of call and return events (Lowe's "lift"/"unlift").
// Node 0 is the head sentinel; node 1 + 2i is op i's call, 2 + 2i its return.
class EventList {
 public:
  explicit EventList(const std::vector<SearchOp>& ops) {
    const uint32_t n = static_cast<uint32_t>(ops.size());
    next_.assign(2 * n + 1, kNone);
    prev_.assign(2 * n + 1, kNone);
    std::vector<uint32_t> order;
    order.reserve(2 * n);
    for (uint32_t i = 0; i < n; ++i) {
      order.push_back(CallNode(i));
      order.push_back(ReturnNode(i));
    }
    // By time; at equal times calls first (intervals are closed), then by op index.
    auto time = [&ops](uint32_t node) {
      const SearchOp& op = ops[OpOf(node)];
      return IsCall(node) ? op.invoke_ns : op.return_ns;
    };
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      if (time(x) != time(y)) return time(x) < time(y);
      return IsCall(x) && !IsCall(y);
    });
    uint32_t last = 0;
    for (uint32_t node : order) {
      next_[last] = node;
      prev_[node] = last;
      last = node;
    }
  }

  static constexpr uint32_t kNone = UINT32_MAX;
  static uint32_t CallNode(uint32_t op) { return 1 + 2 * op; }
  static uint32_t ReturnNode(uint32_t op) { return 2 + 2 * op; }
  static uint32_t OpOf(uint32_t node) { return (node - 1) / 2; }
  static bool IsCall(uint32_t node) { return (node & 1) == 1; }

  uint32_t First() const { return next_[0]; }
  uint32_t Next(uint32_t node) const { return next_[node]; }

  // Unlinks op's call and return. REQUIRES: both linked.
  void Lift(uint32_t op) {
    Unlink(CallNode(op));
    Unlink(ReturnNode(op));
  }
  // Relinks in the reverse order of Lift, restoring the exact list.
  void Unlift(uint32_t op) {
    Relink(ReturnNode(op));
    Relink(CallNode(op));
  }

 private:
  void Unlink(uint32_t node) {
    next_[prev_[node]] = next_[node];
    if (next_[node] != kNone) prev_[next_[node]] = prev_[node];
  }
  void Relink(uint32_t node) {
    next_[prev_[node]] = node;
    if (next_[node] != kNone) prev_[next_[node]] = node;
  }

  std::vector<uint32_t> next_;
  std::vector<uint32_t> prev_;
};

}  // namespace raftlab::checker
