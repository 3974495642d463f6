#include "checker/revision_fast_path.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/base/check.h"

namespace raftlab::checker {
namespace {

// Value tokens. Checks only ever compare a key's value with values that some
// response reads or some txn compares against ("seen" values), or with nil,
// so every other value gets the one token kUnseen: the store stays exact for
// every check, and writes of such values become interchangeable.
constexpr uint32_t kNil = 0;
constexpr uint32_t kUnseen = 1;
constexpr uint64_t kNoOp = UINT64_MAX;
// Search steps (ops replayed, candidates considered) before giving up on
// the fast path; a few seconds of work at most, then WGL takes over.
constexpr uint64_t kStepsMax = uint64_t{1} << 25;
constexpr uint64_t kMemoBytesMax = uint64_t{256} << 20;
// Each level of the search keeps a set of gaps (gaps / 8 bytes), so memory
// grows with the square of the gaps: 32 MiB at this bound.
constexpr size_t kGapsMax = size_t{1} << 14;

// What an op requires of its key's value: an observer at its revision, a
// write just before it takes effect.
enum class Need : uint8_t { kNone, kEqual, kNotEqual };

struct Step {
  uint32_t key = 0;
  Need need = Need::kNone;
  uint32_t operand = kNil;
  bool writes = false;     // bumps the revision (if indeterminate: if it takes effect)
  uint32_t result = kNil;  // the token written
  bool operator<(const Step& o) const {
    return std::tie(key, need, operand, result) < std::tie(o.key, o.need, o.operand, o.result);
  }
};

bool Satisfied(const Step& step, uint32_t value) {
  switch (step.need) {
    case Need::kNone: return true;
    case Need::kEqual: return value == step.operand;
    case Need::kNotEqual: return value != step.operand;
  }
  UNREACHABLE();
}

// Whether the fast path applies (see the header).
bool Applies(const History& history) {
  for (const Operation& op : history.ops) {
    if (op.status == OpStatus::kFail) return false;  // not prepared
    if (op.f == OpFunction::kAppend) return false;   // the etcd model rejects it
    if (op.f == OpFunction::kWrite && op.input[0].IsNil()) return false;  // ditto
    if (op.IsIndeterminate()) {
      if (op.revision >= 0) return false;  // the model would pin it; left to WGL
      continue;
    }
    if (op.revision < 0) return false;
    if (op.f == OpFunction::kDelete && op.deleted < 0) return false;  // bump unknown
  }
  return true;
}

// Interns keys and seen values.
class Tokens {
 public:
  explicit Tokens(const History& history) {
    for (const Operation& op : history.ops) {
      if (op.f == OpFunction::kRead) Mention(op.output[0]);
      if (op.f == OpFunction::kCas) Mention(op.input[0]);
    }
  }
  uint32_t Of(const Value& value) const {
    if (value.IsNil()) return kNil;
    auto found = values_.find(value.ToString());
    return found == values_.end() ? kUnseen : found->second;
  }
  uint32_t Key(const std::string& key) {
    return keys_.try_emplace(key, static_cast<uint32_t>(keys_.size())).first->second;
  }
  uint32_t keys() const { return static_cast<uint32_t>(keys_.size()); }

 private:
  void Mention(const Value& value) {
    if (value.IsNil()) return;
    values_.try_emplace(value.ToString(), static_cast<uint32_t>(values_.size()) + 2);
  }
  std::unordered_map<std::string, uint32_t> values_;  // lookups only
  std::unordered_map<std::string, uint32_t> keys_;    // lookups only
};

// REQUIRES: Applies(); an ok delete reports deleted 0 or 1.
Step Compile(const Operation& op, Tokens* tokens) {
  Step step;
  step.key = tokens->Key(op.key);
  const bool ok = !op.IsIndeterminate();
  switch (op.f) {
    case OpFunction::kRead:
      step = Step{step.key, Need::kEqual, tokens->Of(op.output[0]), false, kNil};
      break;
    case OpFunction::kWrite:
      step = Step{step.key, Need::kNone, kNil, true, tokens->Of(op.input[0])};
      break;
    case OpFunction::kCas:
      if (ok && !op.succeeded) {
        step = Step{step.key, Need::kNotEqual, tokens->Of(op.input[0]), false, kNil};
      } else {
        step = Step{step.key, Need::kEqual, tokens->Of(op.input[0]), true,
                    tokens->Of(op.input[1])};
      }
      break;
    case OpFunction::kDelete:
      if (ok && op.deleted == 0) {
        step = Step{step.key, Need::kEqual, kNil, false, kNil};
      } else {
        step = Step{step.key, Need::kNotEqual, kNil, true, kNil};
      }
      break;
    case OpFunction::kAppend: UNREACHABLE();
  }
  return step;
}

// The acknowledged ops placed by revision, and the gaps left for the
// indeterminate writes.
struct Layout {
  int64_t revision_max = 1;
  std::vector<uint64_t> write_at;                   // by revision: op id, kNoOp for a gap
  std::vector<std::vector<uint64_t>> observers_at;  // by revision, by invocation
  std::vector<int64_t> gaps;                        // ascending
  // By gap index: the earliest return among acknowledged ops placed after
  // the gap's write. A write invoked later cannot fill the gap (real time).
  // Non-decreasing.
  std::vector<uint64_t> return_min;
};

// The order: each write opens the slot of its revision; reads and failed txns
// sit in the slot of their header revision, by invocation time (which never
// breaks real time among themselves). Real time holds iff no op returned
// before an op placed earlier was invoked.
bool RespectsRealTime(const History& history, const Layout& layout) {
  uint64_t invoke_max = 0;
  for (int64_t r = 1; r <= layout.revision_max; ++r) {
    std::vector<uint64_t> slot = layout.observers_at[static_cast<size_t>(r)];
    const uint64_t write = layout.write_at[static_cast<size_t>(r)];
    if (write != kNoOp) slot.insert(slot.begin(), write);
    for (uint64_t id : slot) {
      const Operation& op = history.ops[id];
      if (op.return_ns < invoke_max) return false;
      invoke_max = std::max(invoke_max, op.invoke_ns);
    }
  }
  return true;
}

void ComputeReturnMin(const History& history, Layout* layout) {
  std::vector<uint64_t> by_gap;
  uint64_t running = kInfinity;
  for (int64_t r = layout->revision_max; r >= 1; --r) {
    const size_t slot = static_cast<size_t>(r);
    for (uint64_t id : layout->observers_at[slot]) {
      running = std::min(running, history.ops[id].return_ns);
    }
    const uint64_t write = layout->write_at[slot];
    if (write == kNoOp && r >= 2) by_gap.push_back(running);
    if (write != kNoOp) running = std::min(running, history.ops[write].return_ns);
  }
  std::reverse(by_gap.begin(), by_gap.end());
  CHECK_EQ(by_gap.size(), layout->gaps.size());
  layout->return_min = std::move(by_gap);
}

// Places the acknowledged ops; false when that alone breaks linearizability
// (a revision out of reach, two writes at one revision, real time).
bool Place(const History& history, const std::vector<Step>& steps, Layout* layout) {
  // Every op bumps the revision at most once.
  const int64_t reachable = static_cast<int64_t>(history.ops.size()) + 1;
  for (const Operation& op : history.ops) {
    if (op.IsIndeterminate()) continue;
    const int64_t lowest = steps[op.id].writes ? 2 : 1;
    if (op.revision < lowest || op.revision > reachable) return false;
    layout->revision_max = std::max(layout->revision_max, op.revision);
  }
  const size_t slots = static_cast<size_t>(layout->revision_max) + 1;
  layout->write_at.assign(slots, kNoOp);
  layout->observers_at.assign(slots, {});
  for (const Operation& op : history.ops) {
    if (op.IsIndeterminate()) continue;
    const size_t r = static_cast<size_t>(op.revision);
    if (!steps[op.id].writes) {
      layout->observers_at[r].push_back(op.id);
      continue;
    }
    if (layout->write_at[r] != kNoOp) return false;  // two writes, one revision
    layout->write_at[r] = op.id;
  }
  for (std::vector<uint64_t>& observers : layout->observers_at) {
    std::stable_sort(observers.begin(), observers.end(), [&](uint64_t x, uint64_t y) {
      return history.ops[x].invoke_ns < history.ops[y].invoke_ns;
    });
  }
  for (int64_t r = 2; r <= layout->revision_max; ++r) {
    if (layout->write_at[static_cast<size_t>(r)] == kNoOp) layout->gaps.push_back(r);
  }
  if (!RespectsRealTime(history, *layout)) return false;
  ComputeReturnMin(history, layout);
  return true;
}

// Indeterminate writes with the same step (key, precondition, token
// written): they differ only in the gaps real time lets them fill, so the
// search counts how many it used instead of naming them. Using `u` of them
// at gaps j1 < ... < ju is possible iff, for each l, at least l members may
// fill gap jl (members may fill every gap from their first on).
struct Class {
  Step step;
  std::vector<uint32_t> first_gaps;  // per member, ascending
  // A pinned write (the header): the gap indices it may fill; it must fill one.
  bool pinned = false;
  uint32_t window_begin = 0;
  uint32_t window_end = UINT32_MAX;  // exclusive
  uint32_t AvailableAt(uint32_t gap) const {
    return static_cast<uint32_t>(
        std::upper_bound(first_gaps.begin(), first_gaps.end(), gap) - first_gaps.begin());
  }
};

std::vector<Class> BuildClasses(const History& history, const std::vector<Step>& steps,
                                const Layout& layout, std::vector<uint32_t>* class_of) {
  std::vector<Class> classes;
  std::map<Step, uint32_t> ids;
  class_of->assign(history.ops.size(), UINT32_MAX);
  for (const Operation& op : history.ops) {
    if (!op.IsIndeterminate() || !steps[op.id].writes) continue;
    // The first gap whose later ops all returned at or after this invocation.
    const auto first = std::partition_point(
        layout.return_min.begin(), layout.return_min.end(),
        [&](uint64_t return_min) { return return_min < op.invoke_ns; });
    const uint32_t gap = static_cast<uint32_t>(first - layout.return_min.begin());
    if (gap == layout.gaps.size()) continue;  // invoked too late to fill any gap
    auto [it, inserted] = ids.try_emplace(steps[op.id], static_cast<uint32_t>(classes.size()));
    if (inserted) classes.push_back(Class{steps[op.id], {}});
    classes[it->second].first_gaps.push_back(gap);
    (*class_of)[op.id] = it->second;
  }
  for (Class& c : classes) std::sort(c.first_gaps.begin(), c.first_gaps.end());
  return classes;
}

// Whether enough writes may fill the gaps at all: for every gap j, at least
// j + 1 writes may fill one of gaps 0..j (each gap takes one write).
bool EnoughWriters(const std::vector<Class>& classes, size_t gaps) {
  std::vector<uint32_t> starting(gaps + 1, 0);
  for (const Class& c : classes) {
    for (uint32_t first : c.first_gaps) ++starting[first];
  }
  uint64_t writers = 0;
  for (size_t j = 0; j < gaps; ++j) {
    writers += starting[j];
    if (writers < j + 1) return false;
  }
  return true;
}

// Revisions of the acknowledged writes of each key, ascending.
std::vector<std::vector<int64_t>> AckedWritesByKey(const std::vector<Step>& steps,
                                                   const Layout& layout, uint32_t keys) {
  std::vector<std::vector<int64_t>> acked_writes(keys);
  for (int64_t r = 2; r <= layout.revision_max; ++r) {
    const uint64_t id = layout.write_at[static_cast<size_t>(r)];
    if (id != kNoOp) acked_writes[steps[id].key].push_back(r);
  }
  return acked_writes;
}

// The greatest revision in `revisions` (ascending) that is <= r; 1 if none.
int64_t LastWriteUpTo(const std::vector<int64_t>& revisions, int64_t r) {
  auto it = std::upper_bound(revisions.begin(), revisions.end(), r);
  return it == revisions.begin() ? 1 : *std::prev(it);
}

// The token a key holds at `revision` unless a gap wrote it since its last
// acknowledged write: that write's, or nil.
uint32_t AckedValue(const std::vector<Step>& steps, const Layout& layout,
                    const std::vector<int64_t>& key_writes, int64_t revision) {
  const int64_t write = LastWriteUpTo(key_writes, revision);
  return write >= 2 ? steps[layout.write_at[static_cast<size_t>(write)]].result : kNil;
}

// Checks the acknowledged ops whose key's value no gap can change: no gap
// lies between the key's last acknowledged write and the op. False on a
// violation. The search would find it too, but only after trying every
// assignment of the gaps before it; this way a violating history is refuted
// in linear time whatever its indeterminate writes.
bool CheckDetermined(const History& history, const std::vector<Step>& steps,
                     const Layout& layout, const std::vector<std::vector<int64_t>>& acked_writes) {
  for (const Operation& op : history.ops) {
    const Step& step = steps[op.id];
    if (op.IsIndeterminate() || step.need == Need::kNone) continue;
    const int64_t at = step.writes ? op.revision - 1 : op.revision;  // the state it needs
    const int64_t last = LastWriteUpTo(acked_writes[step.key], at);
    const auto& gaps = layout.gaps;
    const auto gap = std::upper_bound(gaps.begin(), gaps.end(), last);
    if (gap != gaps.end() && *gap <= at) continue;  // some gap may rewrite the key
    if (!Satisfied(step, AckedValue(steps, layout, acked_writes[step.key], at))) return false;
  }
  return true;
}

// Per key: the distinct tokens indeterminate writes may write.
std::vector<std::vector<uint32_t>> ResultsByKey(const std::vector<Class>& classes,
                                                uint32_t keys) {
  std::vector<std::vector<uint32_t>> results(keys);
  for (const Class& c : classes) {
    std::vector<uint32_t>& tokens = results[c.step.key];
    if (std::find(tokens.begin(), tokens.end(), c.step.result) == tokens.end()) {
      tokens.push_back(c.step.result);
    }
  }
  return results;
}

// Whether some indeterminate write could give the key a value `step` accepts.
bool Fixable(const std::vector<uint32_t>& results, const Step& step) {
  return std::any_of(results.begin(), results.end(),
                     [&](uint32_t token) { return Satisfied(step, token); });
}

// Observations of seen values: the revision of the first and of the last
// state that must hold the value, and who writes it.
struct Demand {
  int64_t first = INT64_MAX;
  int64_t last = -1;
  uint32_t producers = 0;
  uint64_t producer = kNoOp;
};

std::map<std::pair<uint32_t, uint32_t>, Demand> CollectDemands(const History& history,
                                                               const std::vector<Step>& steps) {
  std::map<std::pair<uint32_t, uint32_t>, Demand> demands;
  for (const Operation& op : history.ops) {
    const Step& step = steps[op.id];
    if (step.writes && step.result > kUnseen) {
      Demand& demand = demands[{step.key, step.result}];
      ++demand.producers;
      demand.producer = op.id;
    }
    if (op.IsIndeterminate() || step.need != Need::kEqual || step.operand <= kUnseen) continue;
    // An observer needs the value at its revision, a write just before.
    const int64_t at = step.writes ? op.revision - 1 : op.revision;
    Demand& demand = demands[{step.key, step.operand}];
    demand.first = std::min(demand.first, at);
    demand.last = std::max(demand.last, at);
  }
  return demands;
}

// An acknowledged op that needs its key's value to be something at a revision.
struct Observation {
  int64_t revision;
  uint64_t op;
};

std::vector<std::vector<Observation>> ObserversByKey(const std::vector<Step>& steps,
                                                     const Layout& layout, uint32_t keys) {
  std::vector<std::vector<Observation>> observers(keys);  // per key, by revision
  for (int64_t r = 1; r <= layout.revision_max; ++r) {
    for (uint64_t id : layout.observers_at[static_cast<size_t>(r)]) {
      observers[steps[id].key].push_back(Observation{r, id});
    }
  }
  return observers;
}

// The latest revision in (after, last] of an observation that `value` fails,
// else `after`. Scans back from `last`, so the cost is the observations
// between the conflict and `last`.
int64_t LastConflict(const std::vector<Observation>& observers, const std::vector<Step>& steps,
                     int64_t after, int64_t last, uint32_t value) {
  auto it = std::upper_bound(observers.begin(), observers.end(), last,
                             [](int64_t r, const Observation& o) { return r < o.revision; });
  while (it != observers.begin()) {
    --it;
    if (it->revision <= after) break;
    if (!Satisfied(steps[it->op], value)) return it->revision;
  }
  return after;
}

// Pins indeterminate writes whose value is observed and written by no other
// op: the key holds that value from its gap through the last observation, so
// the gap lies after the key's last acknowledged write up to then, and at or
// before the first observation. False when some observed value cannot be
// written in time (no writer, or no gap the writer may fill).
bool Pin(const History& history, const std::vector<Step>& steps, const Layout& layout,
         const std::vector<std::vector<int64_t>>& acked_writes,
         const std::vector<uint32_t>& class_of, std::vector<Class>* classes) {
  const uint32_t keys = static_cast<uint32_t>(acked_writes.size());
  const std::vector<std::vector<Observation>> observers = ObserversByKey(steps, layout, keys);
  const std::vector<std::vector<uint32_t>> results = ResultsByKey(*classes, keys);
  for (const auto& [key_value, demand] : CollectDemands(history, steps)) {
    if (demand.last < 0) continue;  // written, never observed
    if (demand.producers == 0) return false;
    if (demand.producers > 1 || !history.ops[demand.producer].IsIndeterminate()) continue;
    const uint32_t c = class_of[demand.producer];
    if (c == UINT32_MAX) return false;  // invoked too late for every gap
    // The key holds the value from the gap through `last`: the gap comes
    // after the key's last acknowledged write up to `last`, and after every
    // observation of the key up to `last` that the value fails.
    const uint32_t key = key_value.first;  // not a structured binding: lambdas capture it
    const uint32_t value = key_value.second;
    const int64_t write = LastWriteUpTo(acked_writes[key], demand.last);
    const int64_t after = LastConflict(observers[key], steps, write, demand.last, value);
    const auto& gaps = layout.gaps;
    Class& pinned = (*classes)[c];
    CHECK_EQ(pinned.first_gaps.size(), 1u);  // its token is unique to it
    pinned.pinned = true;
    pinned.window_begin = std::max(
        pinned.first_gaps[0],
        static_cast<uint32_t>(std::upper_bound(gaps.begin(), gaps.end(), after) - gaps.begin()));
    pinned.window_end = static_cast<uint32_t>(
        std::upper_bound(gaps.begin(), gaps.end(), demand.first) - gaps.begin());
    // Its own precondition must be able to hold just before the gap: the
    // key's acknowledged value there, or some indeterminate write's, does.
    const bool fixable = Fixable(results[key], pinned.step);
    auto possible = [&](uint32_t gap) {
      const int64_t before = gaps[gap] - 1;
      const uint32_t acked = AckedValue(steps, layout, acked_writes[key], before);
      return fixable || Satisfied(pinned.step, acked);
    };
    while (pinned.window_begin < pinned.window_end && !possible(pinned.window_begin)) {
      ++pinned.window_begin;
    }
    while (pinned.window_begin < pinned.window_end && !possible(pinned.window_end - 1)) {
      --pinned.window_end;
    }
    if (pinned.window_begin >= pinned.window_end) return false;
  }
  return true;
}

struct VectorHash {
  size_t operator()(const std::vector<uint32_t>& v) const {
    uint64_t h = 14695981039346656037ull;  // FNV-1a; lookups only
    for (uint32_t x : v) {
      h ^= x;
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};

// A set of gap indices.
class GapSet {
 public:
  explicit GapSet(size_t gaps) : words_((gaps + 63) / 64, 0) {}
  void Add(size_t gap) { words_[gap / 64] |= uint64_t{1} << (gap % 64); }
  void Remove(size_t gap) { words_[gap / 64] &= ~(uint64_t{1} << (gap % 64)); }
  void AddAll(const GapSet& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  }
  void AddBelow(size_t end) {
    for (size_t gap = 0; gap < end; ++gap) Add(gap);
  }
  // The largest member, or SIZE_MAX when empty.
  size_t Max() const {
    for (size_t i = words_.size(); i-- > 0;) {
      if (words_[i] != 0) return 64 * i + 63 - static_cast<size_t>(__builtin_clzll(words_[i]));
    }
    return SIZE_MAX;
  }

 private:
  std::vector<uint64_t> words_;
};

// A small set of keys, or every key. Past kMaxKeys it becomes every key:
// only a few keys are worth singling out.
struct KeySet {
  static constexpr size_t kMaxKeys = 8;
  bool all = false;
  std::vector<uint32_t> keys;
  bool Has(uint32_t key) const {
    return all || std::find(keys.begin(), keys.end(), key) != keys.end();
  }
  void Add(uint32_t key) {
    if (Has(key)) return;
    keys.push_back(key);
    if (keys.size() > kMaxKeys) MakeAll();
  }
  void AddAll(const KeySet& other) {
    if (other.all) MakeAll();
    for (uint32_t key : other.keys) Add(key);
  }
  void Intersect(const KeySet& other) {
    if (other.all) return;
    if (all) {
      *this = other;
      return;
    }
    std::erase_if(keys, [&](uint32_t key) { return !other.Has(key); });
  }
  void MakeAll() {
    all = true;
    keys.clear();
  }
};

// Depth-first search over the gaps in revision order: which class fills
// each gap. Between two gaps the acknowledged ops replay deterministically.
// Conflict-directed backjumping: every failure names the gaps whose choices
// caused it (a check fails on a key's value: the gap that wrote the value,
// and the gaps since where a write of an accepted value could go; a class is
// used up: the gaps that used it; a pinned write is due: the gaps of its
// window), and a gap whose candidates all failed returns to the latest gap
// in the union of their causes, skipping the gaps in between, whose choices
// could not help. Without it, one violation behind many gaps with several
// candidates each would be refuted only after trying all their combinations.
// Failures are also tied to keys: a check of key k that fails whatever the
// gap holds (its candidate wrote another key) leaves only the candidates
// that write k a value the check accepts (the frame's focus), and a gap
// whose failures all concern a few keys (their values, the use of their
// writes) tells the gap it returns to that only candidates writing one of
// them can help; the others are skipped, and the reasons they were ruled out
// are not causes. The memo keeps those keys with each failed state, so a
// repeat names as causes only the gaps that could have changed them.
class GapSearch {
 public:
  GapSearch(const std::vector<Step>& steps, const Layout& layout,
            const std::vector<Class>& classes,
            const std::vector<std::vector<int64_t>>& acked_writes);
  // nullopt: the step budget ran out.
  std::optional<Verdict> Run();

 private:
  struct Frame {
    size_t candidates_begin;  // this gap's candidates: candidates_[begin, end of vector)
    size_t next;              // the next one to try
    size_t trail_mark;        // trail_ size when the gap was entered
    uint32_t chosen;          // the class filling the gap now, or UINT32_MAX
    GapSet causes;            // why candidates failed so far
    // The keys only candidates writing one of can help with (all: any
    // candidate may): a check of such a key failed whatever this gap held
    // (the candidate wrote another key), or a later gap failed for reasons
    // that concern these keys alone. Then only those candidates' causes count.
    KeySet focus{true, {}};
    // Candidates ruled out before being tried (used up, or their
    // precondition fails); why is worked out only if it matters (Backjump).
    std::vector<uint32_t> ruled_out;
    // Checks that failed whatever this gap held (see focus), with the
    // revision of the state they needed.
    std::vector<std::pair<const Step*, int64_t>> needs;
    // The keys every failure here so far concerns (their values, the use of
    // the writes to them); all: unknown.
    KeySet about{false, {}};
    // Pinned writes whose windows close at this gap, unused: one must fill it.
    std::vector<uint32_t> due;
  };
  // Replays the acknowledged ops of revisions [begin, end); false on a
  // violation, with the failed check's key and revision in failed_*.
  bool Replay(int64_t begin, int64_t end);
  int64_t SegmentEnd(size_t gap) const;
  void Set(uint32_t key, uint32_t value);
  void UndoTo(size_t mark);
  void Choose(uint32_t c);
  void Unchoose();
  // Adds the gaps that decided the value `step` failed on at `revision`
  // (see the class comment); none when no choice of the gaps could help.
  // Returns whether it added them.
  bool AddValueCauses(const Step& step, int64_t revision, GapSet* causes) {
    return ValueCauses(step, revision, [causes](size_t gap) { causes->Add(gap); });
  }
  template <class Add>
  bool ValueCauses(const Step& step, int64_t revision, const Add& add);
  // Pushes the gap's frame; false (and nothing pushed) if it is known to
  // fail, with *about the keys that failure concerned.
  bool Enter(size_t gap, KeySet* about);
  // Adds to `causes` the gaps before `gap` that decided `key`'s value or the
  // use of its writes, or could have: those that hold a write of the key, or
  // where one may go.
  void AddKeyCauses(uint32_t key, size_t gap, GapSet* causes);
  // Whether some write of `key` may fill `gap` (ignoring how many are used).
  bool KeyWritable(uint32_t key, size_t gap) const;
  void PushCandidates(size_t gap);
  // Pops the exhausted top frame and the frames its causes skip.
  void Backjump();
  // Whether class c at this frame's gap could avoid the failures that set
  // its focus: it writes a focus key, a value the failed checks of that key
  // accept, and no acknowledged write of the key comes in between.
  bool Helpful(const Frame& frame, uint32_t c, size_t gap) const;
  // Records in the top frame that its choice led to a failure concerning
  // `about` (see Frame::about).
  void Blame(const KeySet& about);
  std::vector<uint32_t> MemoKey(size_t gap) const;
  // What the first acknowledged op of the class's key at or after the gap's
  // revision makes of the class filling the gap: its revision if it needs
  // the class's value (the key's current one fails it), kHarmful if it
  // rejects the class's value, kNeutral otherwise (or if there is none).
  int64_t NeedsAt(uint32_t c, size_t gap) const;
  static constexpr int64_t kNeutral = INT64_MAX - 1;
  static constexpr int64_t kHarmful = INT64_MAX;

  const std::vector<Step>& steps_;
  const Layout& layout_;
  const std::vector<Class>& classes_;
  const std::vector<std::vector<int64_t>>& acked_writes_;
  std::vector<uint32_t> order_;            // classes, pinned ones by window end first
  // By gap: the pinned classes whose window ends there.
  std::vector<std::vector<uint32_t>> pinned_last_;
  const std::vector<std::vector<uint32_t>> results_;  // per key: tokens classes write
  std::vector<uint32_t> values_;           // per key: the token it holds
  std::vector<std::vector<uint32_t>> uses_;  // per class: the gaps it fills now
  std::vector<std::pair<uint32_t, uint32_t>> trail_;  // (key, previous token)
  std::vector<Frame> frames_;              // frames_[j] is gap j
  std::vector<uint32_t> candidates_;
  // Per key: the revisions of its acknowledged ops, ascending (a write at r
  // needs the state r-1, an observer the state r), and the ops.
  std::vector<std::vector<Observation>> needs_;
  std::vector<std::pair<int64_t, uint32_t>> order_scratch_;
  std::vector<std::vector<uint32_t>> classes_of_key_;
  std::vector<std::pair<uint32_t, uint32_t>> fixers_;  // scratch: gap ranges
  // Failed states, with the key their failure concerned (Frame::about).
  std::unordered_map<std::vector<uint32_t>, KeySet, VectorHash> failed_;
  const Step* failed_step_ = nullptr;
  int64_t failed_at_ = 0;
  uint64_t memo_bytes_ = 0;
  uint64_t steps_taken_ = 0;
};

GapSearch::GapSearch(const std::vector<Step>& steps, const Layout& layout,
                     const std::vector<Class>& classes,
                     const std::vector<std::vector<int64_t>>& acked_writes)
    : steps_(steps), layout_(layout), classes_(classes),
      acked_writes_(acked_writes), pinned_last_(layout.gaps.size()),
      results_(ResultsByKey(classes, static_cast<uint32_t>(acked_writes.size()))),
      values_(acked_writes.size(), kNil), uses_(classes.size()) {
  for (uint32_t c = 0; c < classes.size(); ++c) {
    order_.push_back(c);
    if (classes[c].pinned) pinned_last_[classes[c].window_end - 1].push_back(c);
  }
  // Earliest deadline first: a pinned write is tried before the writes that
  // no response tells apart, and before pinned ones needed later.
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t x, uint32_t y) {
    return classes[x].window_end < classes[y].window_end;
  });
  classes_of_key_.resize(acked_writes.size());
  for (uint32_t c = 0; c < classes.size(); ++c) classes_of_key_[classes[c].step.key].push_back(c);
  needs_.resize(acked_writes.size());
  for (int64_t r = 2; r <= layout.revision_max; ++r) {
    const uint64_t write = layout.write_at[static_cast<size_t>(r)];
    if (write != kNoOp) needs_[steps[write].key].push_back(Observation{r, write});
    for (uint64_t id : layout.observers_at[static_cast<size_t>(r)]) {
      needs_[steps[id].key].push_back(Observation{r, id});
    }
  }
}

int64_t GapSearch::NeedsAt(uint32_t c, size_t gap) const {
  const Step& step = classes_[c].step;
  const std::vector<Observation>& needs = needs_[step.key];
  auto next = std::lower_bound(needs.begin(), needs.end(), layout_.gaps[gap],
                               [](const Observation& o, int64_t r) { return o.revision < r; });
  if (next == needs.end()) return kNeutral;
  const Step& need = steps_[next->op];
  if (!Satisfied(need, step.result)) return kHarmful;
  return Satisfied(need, values_[step.key]) ? kNeutral : next->revision;
}

void GapSearch::Set(uint32_t key, uint32_t value) {
  trail_.emplace_back(key, values_[key]);
  values_[key] = value;
}

void GapSearch::UndoTo(size_t mark) {
  while (trail_.size() > mark) {
    values_[trail_.back().first] = trail_.back().second;
    trail_.pop_back();
  }
}

void GapSearch::Choose(uint32_t c) {
  Frame& frame = frames_.back();
  frame.chosen = c;
  uses_[c].push_back(static_cast<uint32_t>(frames_.size() - 1));
  Set(classes_[c].step.key, classes_[c].step.result);
}

void GapSearch::Unchoose() {
  Frame& frame = frames_.back();
  if (frame.chosen == UINT32_MAX) return;
  uses_[frame.chosen].pop_back();
  frame.chosen = UINT32_MAX;
  UndoTo(frame.trail_mark);
}

bool GapSearch::Replay(int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    const size_t slot = static_cast<size_t>(r);
    const uint64_t write = layout_.write_at[slot];
    if (write != kNoOp) {
      ++steps_taken_;
      const Step& step = steps_[write];
      if (!Satisfied(step, values_[step.key])) {
        failed_step_ = &step;
        failed_at_ = r - 1;
        return false;
      }
      Set(step.key, step.result);
    }
    for (uint64_t id : layout_.observers_at[slot]) {
      ++steps_taken_;
      const Step& step = steps_[id];
      if (!Satisfied(step, values_[step.key])) {
        failed_step_ = &step;
        failed_at_ = r;
        return false;
      }
    }
  }
  return true;
}

int64_t GapSearch::SegmentEnd(size_t gap) const {
  const size_t next = gap + 1;
  return next < layout_.gaps.size() ? layout_.gaps[next] : layout_.revision_max + 1;
}

template <class Add>
bool GapSearch::ValueCauses(const Step& step, int64_t revision, const Add& add) {
  const uint32_t key = step.key;
  const bool acked_fails = !Satisfied(step, AckedValue(steps_, layout_, acked_writes_[key],
                                                       revision));
  // The gaps where some indeterminate write of an accepted value may go
  // (whatever else holds them now): only there could a different choice fix
  // the value.
  fixers_.clear();
  for (uint32_t c : classes_of_key_[key]) {
    const Class& cls = classes_[c];
    if (!Satisfied(step, cls.step.result)) continue;
    const uint32_t begin = std::max(cls.first_gaps[0], cls.pinned ? cls.window_begin : 0u);
    const uint32_t end = cls.pinned ? cls.window_end : UINT32_MAX;
    if (begin < end) fixers_.emplace_back(begin, end);
  }
  if (acked_fails && fixers_.empty()) return false;  // every value there fails
  const int64_t write = LastWriteUpTo(acked_writes_[key], revision);
  const auto& gaps = layout_.gaps;
  size_t gap = static_cast<size_t>(std::upper_bound(gaps.begin(), gaps.end(), revision) -
                                   gaps.begin());
  while (gap-- > 0 && gaps[gap] > write) {
    ++steps_taken_;
    CHECK_LT(gap, frames_.size());  // only decided gaps precede the check
    const uint32_t chosen = frames_[gap].chosen;
    const bool wrote = chosen != UINT32_MAX && classes_[chosen].step.key == key;
    // A gap in between could only help by holding a write of an accepted
    // value. (Counting every gap in between made the search try all their
    // combinations before undoing the write that failed.)
    const bool could_fix = std::any_of(fixers_.begin(), fixers_.end(), [gap](const auto& r) {
      return r.first <= gap && gap < r.second;
    });
    if (wrote || could_fix) add(gap);
    if (wrote) break;
  }
  return true;
}

std::vector<uint32_t> GapSearch::MemoKey(size_t gap) const {
  std::vector<uint32_t> key;
  key.reserve(1 + values_.size() + uses_.size());
  key.push_back(static_cast<uint32_t>(gap));
  key.insert(key.end(), values_.begin(), values_.end());
  for (const std::vector<uint32_t>& uses : uses_) key.push_back(static_cast<uint32_t>(uses.size()));
  return key;
}

void GapSearch::PushCandidates(size_t gap) {
  const uint32_t j = static_cast<uint32_t>(gap);
  // A pinned write whose window closes here must fill this gap; the gaps of
  // its window that did not take it are why nothing else may (added when
  // the gap fails, see Backjump).
  uint32_t forced = UINT32_MAX;
  size_t due = 0;
  for (uint32_t c : pinned_last_[gap]) {
    if (!uses_[c].empty()) continue;
    forced = c;
    ++due;
    frames_.back().due.push_back(c);
  }
  if (due > 1) return;  // two writes for one gap: no candidate
  for (uint32_t c : order_) {
    ++steps_taken_;
    if (forced != UINT32_MAX && c != forced) continue;
    const Class& cls = classes_[c];
    if (cls.pinned && (j < cls.window_begin || j >= cls.window_end)) continue;
    if (cls.AvailableAt(j) <= uses_[c].size() || !Satisfied(cls.step, values_[cls.step.key])) {
      frames_.back().ruled_out.push_back(c);
      continue;
    }
    candidates_.push_back(c);
  }
  // Order only (any order finds the same verdict): first the writes that the
  // next op of their key needs, soonest first, since the key's value fails
  // that op now; then the others in order_; last those whose value the next
  // op of their key rejects, which fail as soon as the replay reaches it
  // unless a later gap rewrites the key first. Without this, a gap replayed
  // its segment for candidate after candidate that could not be right, and
  // a write that some later check needed was found only by backjumping over
  // every combination of the gaps in between: the step budget ran out on a
  // linearizable 100,000-op history with a few hundred gaps.
  const auto begin =
      candidates_.begin() + static_cast<std::ptrdiff_t>(frames_.back().candidates_begin);
  order_scratch_.clear();
  for (auto it = begin; it != candidates_.end(); ++it) {
    order_scratch_.emplace_back(NeedsAt(*it, gap), *it);
  }
  std::stable_sort(order_scratch_.begin(), order_scratch_.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (size_t i = 0; i < order_scratch_.size(); ++i) {
    begin[static_cast<std::ptrdiff_t>(i)] = order_scratch_[i].second;
  }
}

bool GapSearch::KeyWritable(uint32_t key, size_t gap) const {
  return std::any_of(classes_of_key_[key].begin(), classes_of_key_[key].end(), [&](uint32_t c) {
    const Class& cls = classes_[c];
    const bool in_window = !cls.pinned || (cls.window_begin <= gap && gap < cls.window_end);
    return cls.first_gaps[0] <= gap && in_window;
  });
}

void GapSearch::AddKeyCauses(uint32_t key, size_t gap, GapSet* causes) {
  for (size_t g = 0; g < gap; ++g) {
    ++steps_taken_;
    const uint32_t chosen = frames_[g].chosen;
    if ((chosen != UINT32_MAX && classes_[chosen].step.key == key) || KeyWritable(key, g)) {
      causes->Add(g);
    }
  }
}

bool GapSearch::Enter(size_t gap, KeySet* about) {
  if (!failed_.empty()) {
    auto found = failed_.find(MemoKey(gap));
    if (found != failed_.end()) {
      *about = found->second;
      return false;
    }
  }
  frames_.push_back(Frame{candidates_.size(), candidates_.size(), trail_.size(), UINT32_MAX,
                          GapSet(layout_.gaps.size()), KeySet{true, {}}, {}, {}, KeySet{}, {}});
  PushCandidates(gap);
  return true;
}

void GapSearch::Backjump() {
  const size_t gap = frames_.size() - 1;
  Frame& failed = frames_.back();
  GapSet causes = std::move(failed.causes);
  // With a focus, only what kept out the writes that could help counts.
  for (uint32_t c : failed.ruled_out) {
    if (!Helpful(failed, c, gap)) continue;
    const Class& cls = classes_[c];
    failed.about.Add(cls.step.key);
    if (cls.AvailableAt(static_cast<uint32_t>(gap)) <= uses_[c].size()) {
      for (uint32_t g : uses_[c]) causes.Add(g);  // used up there
    } else {  // its precondition fails
      AddValueCauses(cls.step, layout_.gaps[gap] - 1, &causes);
    }
  }
  for (uint32_t c : failed.due) {
    const Class& cls = classes_[c];
    const bool relevant =
        failed.focus.Has(cls.step.key) ||
        std::any_of(failed.focus.keys.begin(), failed.focus.keys.end(),
                    [&](uint32_t key) { return KeyWritable(key, gap); });
    if (!relevant) continue;
    for (uint32_t g = cls.window_begin; g < gap; ++g) causes.Add(g);
    failed.about.Add(cls.step.key);
  }
  const KeySet about = failed.about;
  if (memo_bytes_ < kMemoBytesMax) {  // the gap fails from this state, whatever led here
    std::vector<uint32_t> key = MemoKey(gap);
    memo_bytes_ += 4 * key.size() + 64;
    failed_.emplace(std::move(key), about);
  }
  causes.Remove(gap);
  const size_t target = causes.Max();  // SIZE_MAX: no choice helps
  while (!frames_.empty() && (target == SIZE_MAX || frames_.size() - 1 > target)) {
    Unchoose();
    candidates_.resize(frames_.back().candidates_begin);
    frames_.pop_back();
  }
  if (frames_.empty()) return;
  causes.Remove(target);
  frames_.back().causes.AddAll(causes);
  Blame(about);
}

bool GapSearch::Helpful(const Frame& frame, uint32_t c, size_t gap) const {
  const Step& step = classes_[c].step;
  if (!frame.focus.Has(step.key)) return false;
  for (const auto& [need, revision] : frame.needs) {
    if (need->key != step.key) continue;
    // An acknowledged write in between decides the value whatever this gap holds.
    const bool rewritten = LastWriteUpTo(acked_writes_[step.key], revision) > layout_.gaps[gap];
    if (rewritten || !Satisfied(*need, step.result)) return false;
  }
  return true;
}

void GapSearch::Blame(const KeySet& about) {
  // If every failure concerned these keys and the choice here wrote none of
  // them, a candidate writing another key leaves their values and the use
  // of their writes as they were: the same failure follows.
  Frame& frame = frames_.back();
  frame.about.AddAll(about);
  if (!about.Has(classes_[frame.chosen].step.key)) frame.focus.Intersect(about);
}

std::optional<Verdict> GapSearch::Run() {
  const auto& gaps = layout_.gaps;
  if (!Replay(1, gaps.empty() ? layout_.revision_max + 1 : gaps[0])) {
    return Verdict::kNotLinearizable;
  }
  if (gaps.empty()) return Verdict::kLinearizable;
  KeySet about;
  Enter(0, &about);
  while (!frames_.empty()) {
    if (steps_taken_ > kStepsMax) return std::nullopt;
    const size_t gap = frames_.size() - 1;
    Unchoose();  // back from trying it
    Frame& frame = frames_.back();
    if (frame.next == candidates_.size()) {  // every candidate failed
      Backjump();
      continue;
    }
    const uint32_t next = candidates_[frame.next++];
    if (!Helpful(frame, next, gap)) continue;
    Choose(next);
    if (!Replay(gaps[gap], SegmentEnd(gap))) {
      AddValueCauses(*failed_step_, failed_at_, &frame.causes);
      frame.about.Add(failed_step_->key);
      // Any candidate writing another key fails this check too (the segment
      // replays the same values for it): only that key's writers are left.
      if (classes_[frame.chosen].step.key != failed_step_->key) {
        frame.focus.Intersect(KeySet{false, {failed_step_->key}});
        frame.needs.emplace_back(failed_step_, failed_at_);
      }
      continue;
    }
    if (gap + 1 == gaps.size()) return Verdict::kLinearizable;
    if (!Enter(gap + 1, &about)) {
      // Known to fail from that state. If that failure concerned a few
      // keys, what decided their part of the state is why; else any gap.
      if (about.all) {
        frame.causes.AddBelow(gap + 1);
        frame.about.MakeAll();
      } else {
        for (uint32_t key : about.keys) AddKeyCauses(key, gap + 1, &frame.causes);
        Blame(about);
      }
    }
  }
  return Verdict::kNotLinearizable;
}

}  // namespace

std::optional<Verdict> CheckByRevisions(const History& prepared) {
  if (!Applies(prepared)) return std::nullopt;
  Tokens tokens(prepared);
  std::vector<Step> steps;
  for (const Operation& op : prepared.ops) {
    CHECK_EQ(op.id, steps.size());
    // A one-key delete deletes 0 or 1 keys; the model matches no other count.
    const bool acked_delete = op.f == OpFunction::kDelete && !op.IsIndeterminate();
    if (acked_delete && op.deleted > 1) return Verdict::kNotLinearizable;
    steps.push_back(Compile(op, &tokens));
  }
  Layout layout;
  if (!Place(prepared, steps, &layout)) return Verdict::kNotLinearizable;
  if (layout.gaps.size() > kGapsMax) return std::nullopt;
  const std::vector<std::vector<int64_t>> acked_writes =
      AckedWritesByKey(steps, layout, tokens.keys());
  if (!CheckDetermined(prepared, steps, layout, acked_writes)) return Verdict::kNotLinearizable;
  std::vector<uint32_t> class_of;
  std::vector<Class> classes = BuildClasses(prepared, steps, layout, &class_of);
  if (!EnoughWriters(classes, layout.gaps.size())) return Verdict::kNotLinearizable;
  if (!Pin(prepared, steps, layout, acked_writes, class_of, &classes)) {
    return Verdict::kNotLinearizable;
  }
  return GapSearch(steps, layout, classes, acked_writes).Run();
}

}  // namespace raftlab::checker
