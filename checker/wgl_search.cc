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
  if (limits_.cancel != nullptr && limits_.cancel->load()) return true;
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
    const Frame top = stack_.back();
    stack_.pop_back();
    if (!ops_[top.op].op.indeterminate) ++determinate_left_;
    state_ = top.state_before;
    hash_ ^= zobrist_[top.op];
    ClearBit(top.op);
    list_->Unlift(top.op);
    if (!top.forced) {
      node_ = list_->Next(EventList::CallNode(top.op));
      return true;
    }
  }
}

LinearizationSearch::LinearizationSearch(Model& model, const std::vector<SearchOp>& ops,
                                         const SearchLimits& limits, bool keep_longest)
    : model_(model), ops_(ops), limits_(limits), keep_longest_(keep_longest),
      list_(std::make_unique<EventList>(ops)), cache_((ops.size() + 63) / 64),
      bits_((ops.size() + 63) / 64, 0) {
  uint64_t seed = 0x5EA6C4u;  // fixed: the search must not depend on anything else
  zobrist_.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) zobrist_.push_back(SplitMix64(&seed));
  for (const SearchOp& op : ops) {
    if (!op.op.indeterminate) ++determinate_left_;
    if (!op.op.indeterminate) CHECK_LE(op.invoke_ns, op.return_ns);
  }
  state_ = model_.Initial();
  node_ = list_->First();
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
    CHECK_NE(node_, EventList::kNone);  // a finite return always precedes the end
    if ((++result_.steps & 0xFFF) == 0 && OverLimit()) {
      result_.verdict = Verdict::kUnknown;
      done_ = true;
      break;
    }
    if (EventList::IsCall(node_)) {
      TryCall();
    } else if (!Backtrack()) {
      // A return of an op not yet placed, and no choice left to undo.
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

void LinearizationSearch::TryCall() {
  const uint32_t op = EventList::OpOf(node_);
  Model::State next = 0;
  if (model_.Step(state_, ops_[op].op, &next)) {
    const uint64_t next_hash = hash_ ^ zobrist_[op];
    SetBit(op);
    if (cache_.Insert(next_hash ^ Model::Hash(next), next, bits_.data())) {
      stack_.push_back(Frame{op, state_, Model::ReadOnly(ops_[op].op)});
      if (!ops_[op].op.indeterminate) --determinate_left_;
      state_ = next;
      hash_ = next_hash;
      list_->Lift(op);
      if (keep_longest_) Record(state_);
      node_ = list_->First();
      return;
    }
    ClearBit(op);
  }
  node_ = list_->Next(node_);
}

SearchResult SearchLinearization(Model& model, const std::vector<SearchOp>& ops,
                                 const SearchLimits& limits, bool keep_longest) {
  LinearizationSearch search(model, ops, limits, keep_longest);
  search.Resume(UINT64_MAX);
  return search.TakeResult();
}

}  // namespace raftlab::checker
