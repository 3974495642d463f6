// A minimal EDN reader for one-map-per-line histories (Jepsen, Porcupine).
//
// Contract: parses exactly one EDN value per call from a line: nil, true,
// false, integers, strings (with \" \\ \n \t escapes), keywords, symbols,
// vectors, lists and maps. Commas are whitespace. Errors name the column
// (1-based) and what was expected; the caller adds file and line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"

namespace raftlab::checker::edn {

struct MapEntry;  // a key and a value (below: Node must be complete first)

struct Node {
  enum class Kind : uint8_t { kNil, kBool, kInt, kString, kKeyword, kSymbol, kVector, kMap };
  Kind kind = Kind::kNil;
  bool boolean = false;
  int64_t integer = 0;
  std::string text;                               // string, keyword (without ':'), symbol
  std::vector<Node> items;                        // vector/list elements
  std::vector<MapEntry> entries;                  // map entries in source order

  bool IsKeyword(std::string_view name) const { return kind == Kind::kKeyword && text == name; }
  // The value of keyword key `name` in a map, or nullptr.
  const Node* Find(std::string_view name) const;
  Node* FindMutable(std::string_view name) {
    return const_cast<Node*>(static_cast<const Node*>(this)->Find(name));
  }
  // Short rendering for error messages.
  std::string Describe() const;
};

// A std::pair<Node, Node> inside Node would need Node complete (clang with
// libstdc++ rejects it); a named struct declared after Node does not.
struct MapEntry {
  Node key;
  Node value;
};

// Parses `line` as one EDN value followed only by whitespace.
// Errors read "column C: expected X, found Y".
Result<Node> ParseLine(std::string_view line);

}  // namespace raftlab::checker::edn
