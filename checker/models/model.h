// Sequential specifications the linearizability search runs operations against.
//
// Contract: a model compiles each Operation of one partition into a
// CompiledOp (small integers: interned values and dense key indices) and then
// steps an opaque State (a uint32 id) through them. States are interned, so
// two states are equal iff their ids are equal, and Hash(id) is a fixed mix
// of the id (FNV-1a/splitmix style, never std::hash). Step never copies a
// value string on the hot path: values are ids into a per-model table, and an
// append is memoized per (value, suffix) pair. A Model instance is used by
// one thread; partitions checked in parallel each get their own.
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

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

enum class ModelKind { kRegister, kCasRegister, kKv };

const char* ModelKindName(ModelKind kind);

struct CompiledOp {
  OpFunction f = OpFunction::kRead;
  bool indeterminate = false;
  bool succeeded = true;
  uint32_t key = 0;  // dense index of the key within the partition
  uint32_t a = 0;    // read: value read; write/append: the argument; cas: old
  uint32_t b = 0;    // cas: new
};

class Model {
 public:
  using State = uint32_t;
  static constexpr uint32_t kNilValue = 0;

  explicit Model(ModelKind kind);

  ModelKind kind() const { return kind_; }
  // Whether histories may be split per key (P-compositionality): true for
  // every model here, since an operation touches exactly one key.
  static bool Partitionable() { return true; }

  // Input errors (an operation the model does not support) name the op's line.
  Result<CompiledOp> Compile(const Operation& op, const std::string& source);

  // The state with every key absent. REQUIRES: all ops compiled first.
  State Initial();
  // Returns whether `op` is legal in `state`; if so stores the successor.
  bool Step(State state, const CompiledOp& op, State* next);
  static uint64_t Hash(State state);
  // "k1=3 k2=nil" for explanations.
  std::string Describe(State state) const;
  // Bytes held by the value and state tables (counted against the memory limit).
  uint64_t MemoryBytes() const { return memory_bytes_; }

 private:
  uint32_t InternValue(const Value& value);
  uint32_t InternText(std::string text);
  uint32_t InternState(std::vector<uint32_t> values);
  uint32_t Append(uint32_t value, uint32_t suffix);
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
  std::unordered_map<uint64_t, uint32_t> appends_;  // (value << 32 | suffix) -> value
  // Multi-key states; with a single key the state is the value id itself.
  std::vector<std::vector<uint32_t>> states_;
  std::unordered_map<std::vector<uint32_t>, uint32_t, VectorHash> state_ids_;
  uint64_t memory_bytes_ = 0;
};

}  // namespace raftlab::checker
