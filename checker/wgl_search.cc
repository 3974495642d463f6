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
  // Without a deadline (simulated runs limit steps instead) the clock is
  // never read.
  if (limits_.deadline == std::chrono::steady_clock::time_point::max()) return false;
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
    if (lookahead_ && !Model::ReadOnly(ops_[top.op].op)) {
      uint32_t& from = unplaced_from_[ops_[top.op].op.key];
      from = std::min(from, invoke_index_[top.op]);
    }
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
  const bool dead = DeadEnd() || (stack_.empty() && root_dead_) ||
                    (lookahead_ && !stack_.empty() && first_return_op != EventList::kNone &&
                     FutureReadDead(stack_.back().op, rank_[first_return_op]));
  levels_.push_back(Level{begin, end, dead ? end : begin});
}

LinearizationSearch::LinearizationSearch(Model& model, const std::vector<SearchOp>& ops,
                                         const SearchLimits& limits, bool keep_longest,
                                         bool lookahead)
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
  lookahead_ = lookahead && !keep_longest && model_.kind() == ModelKind::kKv;
  if (lookahead_) SetUpLookahead(by_return, keys);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].op.f != OpFunction::kRead) continue;
    const auto& invokes = reset_invokes[ops[i].op.key];
    resets_before_return_[i] = static_cast<uint32_t>(
        std::upper_bound(invokes.begin(), invokes.end(), ops[i].return_ns) - invokes.begin());
  }
  state_ = model_.Initial();
  if (lookahead_) root_dead_ = AnyReadDeadAtRoot();
  EnterLevel();
}

void LinearizationSearch::SetUpLookahead(const std::vector<uint32_t>& by_return, uint32_t keys) {
  const std::vector<SearchOp>& ops = ops_;
  reads_by_rank_.resize(keys);
  for (uint32_t r = 0; r < by_return.size(); ++r) {
    const CompiledOp& c = ops[by_return[r]].op;
    if (c.f == OpFunction::kRead) reads_by_rank_[c.key].push_back(by_return[r]);
  }
  by_invoke_.resize(keys);
  for (uint32_t i = 0; i < ops.size(); ++i) {
    if (!Model::ReadOnly(ops[i].op)) by_invoke_[ops[i].op.key].push_back(i);
  }
  invoke_index_.resize(ops.size());
  for (auto& list : by_invoke_) {
    std::stable_sort(list.begin(), list.end(), [&ops](uint32_t x, uint32_t y) {
      return ops[x].invoke_ns < ops[y].invoke_ns;
    });
    for (uint32_t i = 0; i < list.size(); ++i) invoke_index_[list[i]] = i;
  }
  unplaced_from_.assign(keys, 0);
  longest_determinate_.assign(keys, 0);
  indeterminate_by_invoke_.resize(keys);
  for (uint32_t key = 0; key < keys; ++key) {
    for (uint32_t i : by_invoke_[key]) {
      const SearchOp& s = ops[i];
      if (!s.op.indeterminate) {
        longest_determinate_[key] = std::max(longest_determinate_[key], s.return_ns - s.invoke_ns);
      } else {
        indeterminate_by_invoke_[key].push_back(i);
      }
    }
  }
  witnesses_.resize(ops.size());
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompiledOp& c = ops[i].op;
    if (c.f != OpFunction::kWrite && c.f != OpFunction::kAppend) continue;
    const std::vector<uint32_t>& reads = reads_by_rank_[c.key];
    auto it = std::lower_bound(reads.begin(), reads.end(), ops[i].invoke_ns,
                               [&ops](uint32_t op, uint64_t t) { return ops[op].return_ns < t; });
    uint32_t last_text = UINT32_MAX;  // reads often repeat a value: look it up once
    bool mentions = false;
    for (size_t scanned = 0; it != reads.end() && scanned < kWitnessScan; ++it, ++scanned) {
      if (ops[*it].op.a != last_text) mentions = model_.Mentions(ops[*it].op, c);
      last_text = ops[*it].op.a;
      if (!mentions) continue;
      witnesses_[i].push_back(*it);
      if (witnesses_[i].size() == kWitnesses) break;
    }
  }
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

void LinearizationSearch::CollectLater(uint32_t read, uint32_t from, uint64_t since,
                                       const SearchOp* after) {
  const std::vector<uint32_t>& by_invoke = by_invoke_[ops_[read].op.key];
  const SearchOp& r = ops_[read];
  for (uint32_t i = from; i < by_invoke.size(); ++i) {
    const SearchOp& s = ops_[by_invoke[i]];
    if (s.invoke_ns > r.return_ns) break;
    if (Placed(by_invoke[i]) || s.return_ns < since) continue;
    const bool before = !s.op.indeterminate && s.return_ns < r.invoke_ns &&
                        (after == nullptr || s.invoke_ns > after->return_ns);
    later_.push_back(Model::LaterOp{&s.op, before});
  }
}

bool LinearizationSearch::ReadDead(uint32_t read, uint32_t from) {
  later_.clear();
  CollectLater(read, from, 0, nullptr);
  return !model_.CouldReach(state_, ops_[read].op, later_);
}

bool LinearizationSearch::StartRootScan(uint32_t read, uint64_t anchor_invoke, uint32_t* from) {
  const uint32_t key = ops_[read].op.key;
  const std::vector<uint32_t>& by_invoke = by_invoke_[key];
  // A determinate op invoked before this returned before the anchor was invoked.
  const uint64_t scan_from = anchor_invoke - std::min(anchor_invoke, longest_determinate_[key]);
  auto invoked_before = [this](uint32_t op, uint64_t t) { return ops_[op].invoke_ns < t; };
  *from = static_cast<uint32_t>(
      std::lower_bound(by_invoke.begin(), by_invoke.end(), scan_from, invoked_before) -
      by_invoke.begin());
  const size_t end = static_cast<size_t>(
      std::lower_bound(by_invoke.begin(), by_invoke.end(), ops_[read].return_ns + 1,
                       invoked_before) - by_invoke.begin());
  later_.clear();
  for (uint32_t op : indeterminate_by_invoke_[key]) {  // they may come any time after invocation
    if (ops_[op].invoke_ns >= scan_from) break;          // CollectLater sees the rest
    later_.push_back(Model::LaterOp{&ops_[op].op, false});
  }
  return later_.size() + (end - std::min<size_t>(end, *from)) <= kRootScanMax;
}

// At the root every read is checked once against the last reset and the
// last read of its key that certainly precede it, which catches a violation
// however late in the history it lies (the search alone would have walked
// every interleaving of the other keys' ops up to it). Only the ops that can
// come after such an anchor matter (anything that returned before the anchor
// was invoked precedes it), so each check scans a window of the history; a
// read with too many ops in its window is left to the search.
bool LinearizationSearch::AnyReadDeadAtRoot() {
  const Model::State initial = model_.Initial();
  for (uint32_t key = 0; key < by_invoke_.size(); ++key) {
    std::vector<uint32_t> resets;  // determinate, by return
    for (uint32_t op : by_invoke_[key]) {
      if (Model::Resets(ops_[op].op) && !ops_[op].op.indeterminate) resets.push_back(op);
    }
    std::sort(resets.begin(), resets.end(), [this](uint32_t x, uint32_t y) {
      return ops_[x].return_ns < ops_[y].return_ns;
    });
    for (size_t i = 1; i < resets.size(); ++i) {  // the one invoked last so far
      if (ops_[resets[i]].invoke_ns < ops_[resets[i - 1]].invoke_ns) resets[i] = resets[i - 1];
    }
    auto returned_before = [this](uint32_t op, uint64_t t) { return ops_[op].return_ns < t; };
    const std::vector<uint32_t>& reads = reads_by_rank_[key];
    for (size_t k = 0; k < reads.size(); ++k) {
      const uint32_t read = reads[k];
      const uint64_t invoke = ops_[read].invoke_ns;
      uint32_t from = 0;
      // Some reset certainly comes before the read, so the value read starts
      // with the value of the last reset before it, which cannot precede the
      // reset invoked last among those that returned before the read.
      auto reset = std::lower_bound(resets.begin(), resets.end(), invoke, returned_before);
      if (reset != resets.begin()) {
        const SearchOp& anchor = ops_[*std::prev(reset)];
        if (StartRootScan(read, anchor.invoke_ns, &from)) {
          // The anchor itself must come before the read: no start from "".
          CollectLater(read, from, anchor.invoke_ns, nullptr);
          if (!model_.CouldReach(initial, ops_[read].op, later_)) return true;
        }
      }
      // The read that returned last before this one was invoked: from its
      // value, what may come in between must spell this one's.
      auto earlier = std::lower_bound(reads.begin(), reads.begin() + static_cast<std::ptrdiff_t>(k),
                                      invoke, returned_before);
      if (earlier == reads.begin()) continue;
      const SearchOp& anchor = ops_[*std::prev(earlier)];
      if (!StartRootScan(read, anchor.invoke_ns, &from)) continue;
      CollectLater(read, from, anchor.invoke_ns, &anchor);
      if (!model_.CouldFollow(anchor.op, ops_[read].op, later_)) return true;
    }
  }
  return false;
}

bool LinearizationSearch::FutureReadDead(uint32_t placed, uint32_t frontier) {
  const CompiledOp& changed = ops_[placed].op;
  if (Model::ReadOnly(changed)) return false;
  const uint32_t key = changed.key;
  const std::vector<uint32_t>& by_invoke = by_invoke_[key];
  uint32_t& from = unplaced_from_[key];
  while (from < by_invoke.size() && Placed(by_invoke[from])) ++from;
  for (uint32_t read : witnesses_[placed]) {
    if (!Placed(read) && ReadDead(read, from)) return true;
  }
  const std::vector<uint32_t>& reads = reads_by_rank_[key];
  auto it = std::lower_bound(reads.begin(), reads.end(), frontier,
                             [this](uint32_t op, uint32_t r) { return rank_[op] < r; });
  int checked = 0;
  uint32_t last_text = UINT32_MAX;
  for (; it != reads.end() && checked < kFutureReadsChecked; ++it) {
    // Runs of reads that saw the same value mostly stand or fall together.
    if (Placed(*it) || ops_[*it].op.a == last_text) continue;
    last_text = ops_[*it].op.a;
    ++checked;
    if (ReadDead(*it, from)) return true;
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
                                 const SearchLimits& limits, bool keep_longest,
                                 bool lookahead) {
  LinearizationSearch search(model, ops, limits, keep_longest, lookahead);
  search.Resume(UINT64_MAX);
  return search.TakeResult();
}

}  // namespace raftlab::checker
