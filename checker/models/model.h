// Sequential specifications the linearizability search runs operations against.
//
// Contract: a model compiles each Operation of one partition into a
// CompiledOp (small integers: interned values and dense key indices) and then
// steps an opaque State (a uint32 id) through them. States are interned, so
// two states are equal iff their ids are equal, and Hash(id) is a fixed mix
// of the id (splitmix style, never std::hash). Step never copies a value
// string on the hot path. Register values are interned literals. A kv value
// is a node of an append trie: node = (parent node, appended literal), a put
// starts a new root, and node 0 is the empty string; every node carries its
// length and a polynomial hash (mod 2^61-1) of its string, so a read compares
// in O(1) and walks the trie for an exact comparison only when both agree. Two
// trie nodes may spell the same string; then the cache merely prunes less
// (equal ids still imply equal states, which is all soundness needs). A
// Model instance is used by one thread; parallel partitions get their own.
//
// Semantics, per key with current value v (nil is the absent value):
//   read x       legal iff v == x
//   write x      v := x
//   cas old new  succeeded: legal iff v == old, then v := new
//                compare failed (observed): legal iff v != old
//                indeterminate: v := new if v == old, else no effect
//   append s     v := v + s (strings; nil reads as "")
//   delete       v := nil
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker/flat_map.h"
#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

enum class ModelKind {
  kRegister,     // read, write
  kCasRegister,  // read, write, cas (compare-and-swap)
  kKv,           // get, put, append on string values; nil reads as ""
  kEtcd,         // SEMANTICS.md S9: a global revision; every response's revision must match
};

const char* ModelKindName(ModelKind kind);

struct CompiledOp {
  OpFunction f = OpFunction::kRead;
  bool indeterminate = false;
  bool succeeded = true;
  uint32_t key = 0;  // dense index of the key within the partition
  uint32_t a = 0;    // read: value read; write/append: the argument; cas: old
  uint32_t b = 0;    // cas: new; write: the value stored (a trie root for kv)
  int64_t revision = -1;  // etcd: the response's header revision, -1 when unknown
  int64_t deleted = -1;   // etcd delete: the response's deleted count, -1 when unknown
};

class Model {
 public:
  using State = uint32_t;
  static constexpr uint32_t kNilValue = 0;

  explicit Model(ModelKind kind);

  ModelKind kind() const { return kind_; }
  // Whether histories may be split per key (P-compositionality): true when
  // an operation touches exactly one key and nothing else; false for etcd,
  // whose global revision ties all keys together.
  static bool Partitionable(ModelKind kind) { return kind != ModelKind::kEtcd; }

  // Input errors (an operation the model does not support) name the op's line.
  Result<CompiledOp> Compile(const Operation& op, const std::string& source);

  // The state with every key absent. REQUIRES: all ops compiled first.
  State Initial();
  // Returns whether `op` is legal in `state`; if so stores the successor.
  bool Step(State state, const CompiledOp& op, State* next);
  static uint64_t Hash(State state);
  // True iff the op never changes any state it is legal in (a read, an
  // observed failed compare). An indeterminate cas is not: placed elsewhere it
  // may take effect. The search may commit such ops greedily.
  static bool ReadOnly(const CompiledOp& op) {
    if (op.f == OpFunction::kRead) return true;
    return op.f == OpFunction::kCas && !op.indeterminate && !op.succeeded;
  }
  // Whether a put or delete (an op that may shrink a kv value).
  static bool Resets(const CompiledOp& op) {
    return op.f == OpFunction::kWrite || op.f == OpFunction::kDelete;
  }
  // kv only: whether the read could still become legal from `state` by
  // appends alone, i.e. the key's value is a prefix of the value read.
  // A hash match counts as "could", so a collision only weakens pruning.
  // Always true for registers.
  bool CanReachByAppends(State state, const CompiledOp& read);
  // An op that may still come before a read, and whether it must (it
  // returned before the read was invoked and is determinate).
  struct LaterOp {
    const CompiledOp* op;
    bool before;
  };
  // kv only: whether the read could still become legal from `state` when
  // ops of `later` (puts, deletes and appends on its key; others are
  // ignored) run first. False is a proof that it cannot: the value read must
  // be the current value, or the value of a reset in `later`, followed by
  // appended texts of `later` (each counted as often as needed, so this
  // over-approximates); and when no reset comes first, every append that
  // must come before the read spells one of those pieces. A hash match
  // counts as a match. Always true for registers.
  bool CouldReach(State state, const CompiledOp& read, const std::vector<LaterOp>& later);
  // The same from the value `earlier` returned: a read of the same key that
  // certainly precedes `read`, with `later` what may come in between.
  bool CouldFollow(const CompiledOp& earlier, const CompiledOp& read,
                   const std::vector<LaterOp>& later);
  // kv only: whether the value `read` returned contains the text `op` writes
  // or appends (then the read may witness where op took effect).
  bool Mentions(const CompiledOp& read, const CompiledOp& op) const {
    return kind_ == ModelKind::kKv && texts_[read.a].find(texts_[op.a]) != std::string::npos;
  }
  // "k1=3 k2=nil" for explanations.
  std::string Describe(State state) const;
  // Bytes held by the value and state tables (counted against the memory limit).
  uint64_t MemoryBytes() const { return memory_bytes_; }

 private:
  uint32_t InternValue(const Value& value);
  uint32_t InternText(std::string text);
  uint32_t InternState(std::vector<uint32_t> values);
  uint32_t TrieNode(uint32_t parent, uint32_t text);
  bool Matches(uint32_t node, uint32_t text);
  // CouldReach from a value of `length` with polynomial hash `hash`.
  bool CouldReachFrom(uint64_t length, uint64_t hash, const CompiledOp& read,
                      const std::vector<LaterOp>& later);
  // The etcd model (etcd_model.cc). A state is {revision, per key: value,
  // create revision, mod revision, version}; value kNilValue means absent.
  State InitialEtcd();
  bool StepEtcd(State state, const CompiledOp& op, State* next);
  std::string DescribeEtcd(State state) const;
  State InternEtcd(std::vector<int64_t> fields);
  std::string Spell(uint32_t node) const;
  uint32_t ValueOf(State state, uint32_t key) const;
  State With(State state, uint32_t key, uint32_t value);

  struct VectorHash {
    size_t operator()(const std::vector<uint32_t>& v) const;
  };

  ModelKind kind_;
  std::vector<std::string> key_names_;
  std::unordered_map<std::string, uint32_t> key_ids_;
  // Interned values. Invariant: texts_[0] is nil ("" for kv, where nil == "").
  std::vector<std::string> texts_;
  std::unordered_map<std::string, uint32_t> text_ids_;
  // kv only. Invariant: trie_[0] is the empty string (parent kNoNode, text 0).
  static constexpr uint32_t kNoNode = UINT32_MAX;
  struct TrieEntry {
    uint32_t parent;
    uint32_t text;
    uint64_t length;  // of the spelled string
    uint64_t hash;    // polynomial hash of the spelled string
    // Children form a singly linked list: few distinct appends follow one
    // value, so a short walk beats a hash table (no rehashing, no misses).
    uint32_t first_child = kNoNode;
    uint32_t next_sibling = kNoNode;
  };
  struct TextInfo {
    uint64_t hash;   // polynomial hash of the text
    uint64_t power;  // base^length mod 2^61-1
  };
  std::vector<TrieEntry> trie_;
  std::vector<TextInfo> text_info_;  // kv only, parallel to texts_
  // kv only: prefix hashes of texts that reads returned (index: text id).
  std::vector<std::vector<uint64_t>> prefix_hashes_;
  // Scratch for CouldReach: appended texts, positions of the value read
  // reachable from a start, and positions from which its end is reachable.
  struct Piece {
    uint64_t length;
    uint64_t hash;
    uint64_t power;
    uint64_t head;  // its first (up to) 8 bytes
    uint64_t mask;  // of head's bytes
    bool before;    // the append must come before the read
    bool on_path;   // it spells a piece on some path from the start to the end
  };
  std::vector<Piece> pieces_;
  std::vector<std::pair<uint32_t, uint32_t>> edges_;
  std::vector<char> reach_;
  std::vector<char> co_reach_;
  FlatMap64 put_roots_;  // text -> root node of a put
  // Multi-key states; with a single key the state is the value id itself.
  std::vector<std::vector<uint32_t>> states_;
  std::unordered_map<std::vector<uint32_t>, uint32_t, VectorHash> state_ids_;
  std::vector<std::vector<int64_t>> etcd_states_;
  struct FieldsHash {
    size_t operator()(const std::vector<int64_t>& v) const;
  };
  std::unordered_map<std::vector<int64_t>, uint32_t, FieldsHash> etcd_state_ids_;
  uint64_t memory_bytes_ = 0;
};

}  // namespace raftlab::checker
