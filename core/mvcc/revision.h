// Revision: the identity of one change in the store, (main, sub).
//
// main is the store revision R of the request that made the change; sub is
// the change's position within that request (S1.3). Revisions order changes
// totally: by main, then sub.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftlab::mvcc {

struct Revision {
  int64_t main = 0;
  int64_t sub = 0;

  friend auto operator<=>(const Revision&, const Revision&) = default;
  std::string ToString() const {
    return "{" + std::to_string(main) + "," + std::to_string(sub) + "}";
  }
};

// etcd's revision key, how a record is keyed in the backend's key bucket:
// 8 bytes of main, big-endian, '_', 8 bytes of sub, big-endian (17 bytes),
// and a trailing 't' for a tombstone (18). Byte order is revision order.
std::string RevisionKey(Revision rev, bool tombstone);
struct ParsedRevisionKey {
  Revision rev;
  bool tombstone = false;
};
// nullopt for bytes that are not a revision key of a non-negative revision.
std::optional<ParsedRevisionKey> ParseRevisionKey(std::string_view key);

}  // namespace raftlab::mvcc
