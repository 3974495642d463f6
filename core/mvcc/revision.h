// Revision: the identity of one change in the store, (main, sub).
//
// main is the store revision R of the request that made the change; sub is
// the change's position within that request (S1.3). Revisions order changes
// totally: by main, then sub.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace raftlab::mvcc {

struct Revision {
  int64_t main = 0;
  int64_t sub = 0;

  friend auto operator<=>(const Revision&, const Revision&) = default;
  std::string ToString() const {
    return "{" + std::to_string(main) + "," + std::to_string(sub) + "}";
  }
};

}  // namespace raftlab::mvcc
