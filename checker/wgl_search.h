// The Wing–Gong–Lowe linearizability search over one partition.
//
// Contract: given compiled operations with closed [invoke, return] intervals
// (return = kInfinity for indeterminate ones), decides whether some total
// order respecting real time is legal for the model. Indeterminate operations
// may also be left out (they took effect "never", or after everything).
// The search is single-threaded and deterministic: for the same input it
// explores the same nodes in the same order; only the limits (wall time,
// bytes of cache shared with concurrent searches) can cut it short, giving
// kUnknown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "checker/models/model.h"
#include "checker/search_cache.h"

namespace raftlab::checker {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

const char* VerdictName(Verdict verdict);

struct SearchLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  uint64_t memory_bytes_max = uint64_t{2} << 30;
  // Search steps per partition (0: no limit). Unlike the deadline, reaching
  // it does not depend on the machine, so a sweep's verdicts stay a pure
  // function of the seed.
  uint64_t steps_max = 0;
  // Bytes of cache held by all searches running at once (shared; may be null).
  std::atomic<uint64_t>* memory_bytes_in_use = nullptr;
};

struct SearchOp {
  CompiledOp op;
  uint64_t invoke_ns = 0;
  uint64_t return_ns = 0;
};

struct SearchResult {
  Verdict verdict = Verdict::kUnknown;
  // The longest legal prefix found (indices into the input), kept only when
  // asked, and the model state after it.
  std::vector<uint32_t> longest;
  Model::State longest_state = 0;
  uint64_t cache_entries = 0;
  uint64_t steps = 0;
  uint64_t memory_bytes = 0;
};

class EventList;

struct Frame {
  uint32_t op;
  Model::State state_before;
  // The op is Model::ReadOnly and was legal here. Every op that
  // returned before its invocation was already placed (the walk reached its
  // call), so any linearization of the rest can be rearranged to place it
  // first: if that subtree fails, so does its parent, and its siblings need
  // not be tried. This dominance rule is what keeps read-heavy partitions flat.
  bool forced;
};

class LinearizationSearch {
 public:
  // REQUIRES: model, ops and limits outlive the search; model compiled ops.
  // `lookahead`: prune by what later kv reads need (see FutureReadDead);
  // ignored with keep_longest.
  LinearizationSearch(Model& model, const std::vector<SearchOp>& ops,
                      const SearchLimits& limits, bool keep_longest, bool lookahead = true);
  ~LinearizationSearch();
  LinearizationSearch(const LinearizationSearch&) = delete;
  LinearizationSearch& operator=(const LinearizationSearch&) = delete;

  // Runs at most `steps_max` more steps. Returns true once the search is
  // over (verdict decided or a limit reached); false when only the step
  // budget ran out, so a caller can interleave partitions deterministically.
  bool Resume(uint64_t steps_max);
  const SearchResult& result() const { return result_; }
  SearchResult TakeResult() { return std::move(result_); }

 private:
  bool OverLimit();
  void SetBit(uint32_t op) { bits_[rank_[op] / 64] |= uint64_t{1} << (rank_[op] % 64); }
  void ClearBit(uint32_t op) { bits_[rank_[op] / 64] &= ~(uint64_t{1} << (rank_[op] % 64)); }
  void Record(Model::State state);
  // Pops choices until one has an untried sibling; false when none is left.
  bool Backtrack();
  // Tries the next candidate of the current level.
  void TryNext();
  // Pushes the candidates for the next op to place (see Level).
  void EnterLevel();

  Model& model_;
  const std::vector<SearchOp>& ops_;
  const SearchLimits& limits_;
  const bool keep_longest_;
  std::unique_ptr<EventList> list_;
  SearchCache cache_;
  std::vector<uint32_t> rank_;     // op -> position in return order (see SearchCache)
  std::vector<uint64_t> bits_;     // Invariant: bit rank_[i] set iff op i is on stack_
  std::vector<uint64_t> zobrist_;  // per-op random keys; the bitset hash is their XOR
  std::vector<Frame> stack_;
  uint64_t determinate_left_ = 0;  // determinate ops not on stack_
  SearchResult result_;
  uint64_t memory_reported_ = 0;
  Model::State state_ = 0;  // after the ops on stack_
  uint64_t hash_ = 0;       // XOR of zobrist_ over the ops on stack_
  bool done_ = false;
  // One level per placed op plus the root. The candidates to place next are
  // the calls before the first return in the event list (WGL's window), in a
  // heuristic order that is not needed for correctness, only speed:
  // read-only ops (legal ones are forced, see Frame), then the op of that
  // first return (it must be placed before anything invoked after it
  // returned: "just in time", Lowe 2017), then other determinate ops in
  // invocation order, then indeterminate ones (whose absence is likeliest).
  struct Level {
    uint32_t begin;  // candidates_[begin, end)
    uint32_t end;
    uint32_t next;   // the next candidate to try
  };
  std::vector<Level> levels_;
  std::vector<uint32_t> candidates_;  // op indices, level after level
  std::vector<uint32_t> window_;      // scratch for EnterLevel
  // Pruning for kv appends: a pending read whose value the current value is
  // not a prefix of can never become legal once no put/delete on its key can
  // still come before it (every such op invoked before the read returned is
  // placed; later ones must follow the read). Then the level is dead.
  bool DeadEnd() const;
  std::vector<uint32_t> resets_before_return_;  // per read: resets on its key invoked by then
  std::vector<uint32_t> placed_resets_;         // per key: resets on stack_
  bool Placed(uint32_t op) const { return (bits_[rank_[op] / 64] >> (rank_[op] % 64) & 1) != 0; }

  // Lookahead (kv only): a read not yet placed needs its value to be built
  // from the current value, or from a put still to come, by appends still to
  // come (Model::CouldReach). Checked for a few reads of the key each op
  // changes, and for every read once at the root, it cuts a wrong choice
  // (say, two appends in the order no later read saw) as soon as it is made,
  // instead of when the read that refutes it enters the window. Without it a
  // whole-history search re-explored every interleaving of the other keys'
  // ops in between: the per-key ambiguities multiplied (c50-ok unpartitioned
  // ran out of memory; with it, a few thousand cache entries). It cuts a
  // branch before any op in it is illegal, so it is off with keep_longest:
  // explanations show the longest prefix up to the op that fails.
  bool FutureReadDead(uint32_t placed, uint32_t frontier);
  // Appends to later_ the unplaced ops of the read's key, from by_invoke_
  // index `from` on, that may come before the read and did not return before
  // `since`, marking those that must come before it: if `after` is set (an
  // op the read certainly follows, whose value it builds on), only those
  // invoked after `after` returned, as the others may precede it.
  void CollectLater(uint32_t read, uint32_t from, uint64_t since, const SearchOp* after);
  // Whether the read can no longer become legal; every op of by_invoke_[key]
  // before `from` must be placed.
  bool ReadDead(uint32_t read, uint32_t from);
  // Fills later_ with the indeterminate ops before a root scan for `read`
  // whose anchor was invoked at anchor_invoke, and sets *from where the
  // determinate ones start; false if the window holds too many ops.
  bool StartRootScan(uint32_t read, uint64_t anchor_invoke, uint32_t* from);
  bool AnyReadDeadAtRoot();
  void SetUpLookahead(const std::vector<uint32_t>& by_return, uint32_t keys);
  bool lookahead_ = false;
  bool root_dead_ = false;
  // Unplaced reads with distinct values checked after each change of their
  // key (by return order), besides the witnesses of the op placed.
  static constexpr int kFutureReadsChecked = 4;
  // A put or append's witnesses: the first reads (by return) that mention
  // its text, among the next kWitnessScan reads of its key. Placing the op
  // where those reads cannot see it is then refuted at once.
  static constexpr size_t kWitnesses = 2;
  static constexpr size_t kWitnessScan = 64;
  // The root check skips a read with more ops than this to consider.
  static constexpr size_t kRootScanMax = 1024;
  std::vector<std::vector<uint32_t>> reads_by_rank_;  // per key: its reads in return order
  // Per key: its ops that change state (not Model::ReadOnly), by invocation.
  std::vector<std::vector<uint32_t>> by_invoke_;
  std::vector<uint32_t> invoke_index_;                // op -> index in by_invoke_[key]
  // Per key: every op of by_invoke_[key] before this index is placed.
  std::vector<uint32_t> unplaced_from_;
  std::vector<std::vector<uint32_t>> witnesses_;  // per op
  std::vector<std::vector<uint32_t>> indeterminate_by_invoke_;  // per key: of by_invoke_
  std::vector<uint64_t> longest_determinate_;  // per key: the longest interval in by_invoke_
  std::vector<Model::LaterOp> later_;          // scratch
};

// Runs a whole search.
SearchResult SearchLinearization(Model& model, const std::vector<SearchOp>& ops,
                                 const SearchLimits& limits, bool keep_longest,
                                 bool lookahead = true);

}  // namespace raftlab::checker
