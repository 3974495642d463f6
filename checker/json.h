// A minimal, strict JSON reader for one-object-per-line histories.
//
// Contract: RFC 8259 syntax except that numbers must be integers that fit in
// int64 (histories carry no fractions; floating point stays out of the
// checker). \uXXXX escapes are encoded as UTF-8 (surrogate pairs joined).
// Errors name the 1-based column and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"

namespace raftlab::checker::json {

struct Member;  // a name and a value (below: Json must be complete first)

struct Json {
  enum class Kind : uint8_t { kNull, kBool, kInt, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t integer = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<Member> members;  // in source order

  // The member named `name`, or nullptr. REQUIRES: kind == kObject.
  const Json* Find(std::string_view name) const;
  std::string Describe() const;
};

// A std::pair<std::string, Json> inside Json would need Json complete (clang
// with libstdc++ rejects it); a named struct declared after Json does not.
struct Member {
  std::string name;
  Json value;
};

// Parses `line` as exactly one JSON value (surrounding whitespace allowed).
Result<Json> Parse(std::string_view line);

}  // namespace raftlab::checker::json
