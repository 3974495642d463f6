// History: what clients saw, the input of every linearizability check.
//
// Contract: an Operation is one client call with its invocation and return
// times (closed interval). Status kFail means the call certainly had no
// effect; such operations are dropped before checking (DropFailed). Status
// kInfo means indeterminate: the call may take effect at any point after its
// invocation, or never; its return time is kInfinity. Times are integers
// (nanoseconds or, for logs without clocks, line numbers); no floating point.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace raftlab::checker {

inline constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();

// A register or KV value: absent (nil), an integer, or a string.
struct Value {
  enum class Kind : uint8_t { kNil, kInt, kString };
  Kind kind = Kind::kNil;
  int64_t integer = 0;  // meaningful for kInt
  std::string text;     // meaningful for kString

  static Value Nil() { return Value{}; }
  static Value Int(int64_t v) { return Value{Kind::kInt, v, {}}; }
  static Value String(std::string s) { return Value{Kind::kString, 0, std::move(s)}; }
  bool IsNil() const { return kind == Kind::kNil; }
  bool operator==(const Value&) const = default;
  // EDN-like rendering: nil, 3, "abc".
  std::string ToString() const;
};

enum class OpFunction : uint8_t {
  kRead,    // get: output[0] is the value read (nil when absent)
  kWrite,   // put: input[0] is the value written
  kCas,     // input {old, new}; `succeeded` says whether the compare held
  kAppend,  // input[0] is appended to the value (string concatenation)
  kDelete,  // etcd delete
};

enum class OpStatus : uint8_t { kOk, kFail, kInfo };

const char* OpFunctionName(OpFunction f);
const char* OpStatusName(OpStatus s);

struct Operation {
  uint64_t id = 0;       // index in the history after reading (dense, from 0)
  int64_t client = 0;    // process / client stream id
  uint64_t invoke_ns = 0;
  uint64_t return_ns = kInfinity;  // kInfinity when indeterminate
  OpFunction f = OpFunction::kRead;
  std::string key;                 // "" for single-register histories
  std::vector<Value> input;
  std::vector<Value> output;
  OpStatus status = OpStatus::kOk;
  bool succeeded = true;    // kCas: whether the compare held (false only if observed)
  int64_t revision = -1;    // etcd header revision of the response; -1 when unknown
  int64_t deleted = -1;     // kDelete with kOk: keys the response says it deleted; -1 unknown
  uint32_t source_line = 0; // line of the completion (or invocation) in the input file

  bool IsIndeterminate() const { return status == OpStatus::kInfo; }
  // One line, e.g. "p3 read k1 -> 2 [100, 250]".
  std::string ToString() const;
};

struct History {
  std::vector<Operation> ops;
  std::string source;  // file name, for messages
};

// Drops kFail operations and indeterminate reads (they constrain nothing),
// sets return_ns = kInfinity on kInfo ones and renumbers ids densely.
History Prepare(const History& history);

}  // namespace raftlab::checker
