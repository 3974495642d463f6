#include "checker/wgl_search.h"

#include <algorithm>
#include <cstring>

#include "checker/event_list.h"
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

bool LinearizationSearch::OverLimit() {
  const uint64_t bytes = cache_.MemoryBytes() + model_.MemoryBytes();
  uint64_t total = bytes;
  if (limits_.memory_bytes_in_use != nullptr) {
    total = limits_.memory_bytes_in_use->fetch_add(bytes - memory_reported_) + bytes -
            memory_reported_;
  }
  memory_reported_ = bytes;
  result_.memory_bytes = std::max(result_.memory_bytes, bytes);
  if (total > limits_.memory_bytes_max) return true;
  if (limits_.steps_max != 0 && result_.steps > limits_.steps_max) return true;
  return std::chrono::steady_clock::now() > limits_.deadline;
}

void LinearizationSearch::Record(Model::State state) {
  if (stack_.size() <= result_.longest.size()) return;
  result_.longest.clear();
  for (const Frame& frame : stack_) result_.longest.push_back(frame.op);
  result_.longest_state = state;
}

bool LinearizationSearch::Backtrack() {
  for (;;) {
    if (stack_.empty()) return false;
    CHECK_EQ(levels_.size(), stack_.size() + 1);
    candidates_.resize(levels_.back().begin);
    levels_.pop_back();
    const Frame top = stack_.back();
    stack_.pop_back();
    if (!ops_[top.op].op.indeterminate) ++determinate_left_;
    if (Model::Resets(ops_[top.op].op)) --placed_resets_[ops_[top.op].op.key];
    state_ = top.state_before;
    hash_ ^= zobrist_[top.op];
    ClearBit(top.op);
    list_->Unlift(top.op);
    if (!top.forced) return true;
    levels_.back().next = levels_.back().end;  // the parent fails with its forced child
  }
}

void LinearizationSearch::EnterLevel() {
  window_.clear();
  uint32_t first_return_op = EventList::kNone;
  for (uint32_t node = list_->First(); node != EventList::kNone; node = list_->Next(node)) {
    if (!EventList::IsCall(node)) {
      first_return_op = EventList::OpOf(node);
      break;
    }
    window_.push_back(EventList::OpOf(node));
  }
  const uint32_t begin = static_cast<uint32_t>(candidates_.size());
  for (uint32_t op : window_) {
    if (Model::ReadOnly(ops_[op].op) && !ops_[op].op.indeterminate) candidates_.push_back(op);
  }
  const bool x_first = first_return_op != EventList::kNone &&
                       !Model::ReadOnly(ops_[first_return_op].op) &&
                       !ops_[first_return_op].op.indeterminate;
  if (x_first) candidates_.push_back(first_return_op);
  for (uint32_t op : window_) {
    const CompiledOp& c = ops_[op].op;
    if (!Model::ReadOnly(c) && !c.indeterminate && !(x_first && op == first_return_op)) {
      candidates_.push_back(op);
    }
  }
  for (uint32_t op : window_) {
    if (ops_[op].op.indeterminate) candidates_.push_back(op);
  }
  CHECK_EQ(candidates_.size() - begin, window_.size());
  const uint32_t end = static_cast<uint32_t>(candidates_.size());
  levels_.push_back(Level{begin, end, DeadEnd() ? end : begin});
}

LinearizationSearch::LinearizationSearch(Model& model, const std::vector<SearchOp>& ops,
                                         const SearchLimits& limits, bool keep_longest)
    : model_(model), ops_(ops), limits_(limits), keep_longest_(keep_longest),
      list_(std::make_unique<EventList>(ops)), cache_((ops.size() + 63) / 64),
      bits_((ops.size() + 63) / 64, 0) {
  uint64_t seed = 0x5EA6C4u;  // fixed: the search must not depend on anything else
  std::vector<uint32_t> by_return(ops.size());
  for (uint32_t i = 0; i < by_return.size(); ++i) by_return[i] = i;
  std::stable_sort(by_return.begin(), by_return.end(), [&ops](uint32_t x, uint32_t y) {
    return ops[x].return_ns < ops[y].return_ns;
  });
  rank_.resize(ops.size());
  for (uint32_t r = 0; r < by_return.size(); ++r) rank_[by_return[r]] = r;
  zobrist_.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) zobrist_.push_back(SplitMix64(&seed));
  for (const SearchOp& op : ops) {
    if (!op.op.indeterminate) ++determinate_left_;
    if (!op.op.indeterminate) CHECK_LE(op.invoke_ns, op.return_ns);
  }
  uint32_t keys = 0;
  for (const SearchOp& op : ops) keys = std::max(keys, op.op.key + 1);
  placed_resets_.assign(keys, 0);
  resets_before_return_.assign(ops.size(), 0);
  std::vector<std::vector<uint64_t>> reset_invokes(keys);  // sorted below
  for (const SearchOp& op : ops) {
    if (Model::Resets(op.op)) reset_invokes[op.op.key].push_back(op.invoke_ns);
  }
  for (auto& invokes : reset_invokes) std::sort(invokes.begin(), invokes.end());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].op.f != OpFunction::kRead) continue;
    const auto& invokes = reset_invokes[ops[i].op.key];
    resets_before_return_[i] = static_cast<uint32_t>(
        std::upper_bound(invokes.begin(), invokes.end(), ops[i].return_ns) - invokes.begin());
  }
  state_ = model_.Initial();
  EnterLevel();
}

bool LinearizationSearch::DeadEnd() const {
  for (uint32_t op : window_) {
    const CompiledOp& c = ops_[op].op;
    if (c.f != OpFunction::kRead) continue;
    if (placed_resets_[c.key] != resets_before_return_[op]) continue;
    if (!model_.CanReachByAppends(state_, c)) return true;
  }
  return false;
}

LinearizationSearch::~LinearizationSearch() {
  if (limits_.memory_bytes_in_use != nullptr) {
    limits_.memory_bytes_in_use->fetch_sub(memory_reported_);
  }
}

bool LinearizationSearch::Resume(uint64_t steps_max) {
  if (done_) return true;
  const uint64_t steps_end = result_.steps + steps_max;
  while (determinate_left_ > 0 && !done_) {
    if (result_.steps >= steps_end) return false;
    if ((++result_.steps & 0xFFF) == 0 && OverLimit()) {
      result_.verdict = Verdict::kUnknown;
      done_ = true;
      break;
    }
    const Level& level = levels_.back();
    if (level.next < level.end) {
      TryNext();
    } else if (!Backtrack()) {
      // Every candidate failed and no choice is left to undo.
      result_.verdict = Verdict::kNotLinearizable;
      done_ = true;
    }
  }
  if (determinate_left_ == 0) result_.verdict = Verdict::kLinearizable;
  done_ = true;
  OverLimit();  // final accounting
  result_.cache_entries = cache_.size();
  return true;
}

void LinearizationSearch::TryNext() {
  const uint32_t op = candidates_[levels_.back().next++];
  Model::State next = 0;
  if (!model_.Step(state_, ops_[op].op, &next)) return;
  const uint64_t next_hash = hash_ ^ zobrist_[op];
  SetBit(op);
  if (!cache_.Insert(next_hash ^ Model::Hash(next), next, bits_.data())) {
    ClearBit(op);  // this (set, state) was explored before and failed
    return;
  }
  stack_.push_back(Frame{op, state_, Model::ReadOnly(ops_[op].op)});
  if (Model::Resets(ops_[op].op)) ++placed_resets_[ops_[op].op.key];
  if (!ops_[op].op.indeterminate) --determinate_left_;
  state_ = next;
  hash_ = next_hash;
  list_->Lift(op);
  if (keep_longest_) Record(state_);
  EnterLevel();
}

SearchResult SearchLinearization(Model& model, const std::vector<SearchOp>& ops,
                                 const SearchLimits& limits, bool keep_longest) {
  LinearizationSearch search(model, ops, limits, keep_longest);
  search.Resume(UINT64_MAX);
  return search.TakeResult();
}

}  // namespace raftlab::checker
