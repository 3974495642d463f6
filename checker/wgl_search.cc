#include "checker/wgl_search.h"

#include <algorithm>
#include <cstring>

#include "checker/search_cache.h"
#include "core/base/check.h"
#include "core/base/prng.h"

namespace raftlab::checker {

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not linearizable";
    case Verdict::kUnknown: return "unknown";
  }
  UNREACHABLE();
}

namespace {

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

struct Frame {
  uint32_t op;
  Model::State state_before;
};

class Searcher {
 public:
  Searcher(Model& model, const std::vector<SearchOp>& ops, const SearchLimits& limits,
           bool keep_longest)
      : model_(model), ops_(ops), limits_(limits), keep_longest_(keep_longest), list_(ops),
        cache_((ops.size() + 63) / 64), bits_((ops.size() + 63) / 64, 0) {
    uint64_t seed = 0x5EA6C4u;  // fixed: the search must not depend on anything else
    zobrist_.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) zobrist_.push_back(SplitMix64(&seed));
    for (const SearchOp& op : ops) {
      if (!op.op.indeterminate) ++determinate_left_;
      if (!op.op.indeterminate) CHECK_LE(op.invoke_ns, op.return_ns);
    }
  }

  SearchResult Run();

 private:
  bool OverLimit();
  void SetBit(uint32_t op) { bits_[op / 64] |= uint64_t{1} << (op % 64); }
  void ClearBit(uint32_t op) { bits_[op / 64] &= ~(uint64_t{1} << (op % 64)); }
  void Record(Model::State state);

  Model& model_;
  const std::vector<SearchOp>& ops_;
  const SearchLimits& limits_;
  const bool keep_longest_;
  EventList list_;
  SearchCache cache_;
  std::vector<uint64_t> bits_;     // Invariant: bit i set iff op i is on stack_
  std::vector<uint64_t> zobrist_;  // per-op random keys; the bitset hash is their XOR
  std::vector<Frame> stack_;
  uint64_t determinate_left_ = 0;  // determinate ops not on stack_
  SearchResult result_;
  uint64_t memory_reported_ = 0;
};

bool Searcher::OverLimit() {
  const uint64_t bytes = cache_.MemoryBytes() + model_.MemoryBytes();
  uint64_t total = bytes;
  if (limits_.memory_bytes_in_use != nullptr) {
    total = limits_.memory_bytes_in_use->fetch_add(bytes - memory_reported_) + bytes -
            memory_reported_;
  }
  memory_reported_ = bytes;
  result_.memory_bytes = std::max(result_.memory_bytes, bytes);
  if (total > limits_.memory_bytes_max) return true;
  return std::chrono::steady_clock::now() > limits_.deadline;
}

void Searcher::Record(Model::State state) {
  if (stack_.size() <= result_.longest.size()) return;
  result_.longest.clear();
  for (const Frame& frame : stack_) result_.longest.push_back(frame.op);
  result_.longest_state = state;
}

SearchResult Searcher::Run() {
  Model::State state = model_.Initial();
  uint64_t hash = 0;  // XOR of zobrist_ over the ops on stack_
  uint32_t node = list_.First();
  while (determinate_left_ > 0) {
    CHECK_NE(node, EventList::kNone);  // a finite return always precedes the end
    if ((++result_.steps & 0xFFF) == 0 && OverLimit()) {
      result_.verdict = Verdict::kUnknown;
      break;
    }
    const uint32_t op = EventList::OpOf(node);
    if (EventList::IsCall(node)) {
      Model::State next = 0;
      if (model_.Step(state, ops_[op].op, &next)) {
        const uint64_t next_hash = hash ^ zobrist_[op];
        SetBit(op);
        if (cache_.Insert(next_hash ^ Model::Hash(next), next, bits_.data())) {
          stack_.push_back(Frame{op, state});
          if (!ops_[op].op.indeterminate) --determinate_left_;
          state = next;
          hash = next_hash;
          list_.Lift(op);
          if (keep_longest_) Record(state);
          node = list_.First();
          continue;
        }
        ClearBit(op);
      }
      node = list_.Next(node);
      continue;
    }
    // A return of an op not yet linearized: undo the most recent choice.
    if (stack_.empty()) {
      result_.verdict = Verdict::kNotLinearizable;
      break;
    }
    const Frame top = stack_.back();
    stack_.pop_back();
    if (!ops_[top.op].op.indeterminate) ++determinate_left_;
    state = top.state_before;
    hash ^= zobrist_[top.op];
    ClearBit(top.op);
    list_.Unlift(top.op);
    node = list_.Next(EventList::CallNode(top.op));
  }
  if (determinate_left_ == 0) result_.verdict = Verdict::kLinearizable;
  OverLimit();  // final accounting
  if (limits_.memory_bytes_in_use != nullptr) limits_.memory_bytes_in_use->fetch_sub(memory_reported_);
  result_.cache_entries = cache_.size();
  return std::move(result_);
}

}  // namespace

SearchResult SearchLinearization(Model& model, const std::vector<SearchOp>& ops,
                                 const SearchLimits& limits, bool keep_longest) {
  Searcher searcher(model, ops, limits, keep_longest);
  return searcher.Run();
}

}  // namespace raftlab::checker
