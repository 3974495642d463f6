// TreeIndex: every key's KeyIndex, ordered by key (std::map), so range reads
// walk keys in byte order without sorting.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/mvcc/key_index.h"
#include "core/mvcc/key_range.h"

namespace raftlab::mvcc {

class TreeIndex {
 public:
  void Put(std::string_view key, Revision rev);
  // REQUIRES: the key is alive.
  void Tombstone(std::string_view key, Revision rev);
  void RestoreTombstone(std::string_view key, Revision rev);

  // The put visible for `key` at main revision `at`.
  std::optional<Revision> Get(std::string_view key, int64_t at) const;
  // Calls visit(key, rev) for every key of `range` alive at `at`, ascending.
  void Range(const KeyRange& range, int64_t at,
             const std::function<void(const std::string&, Revision)>& visit) const;

  // Compacts every key at c; keys left empty are removed (S6.3). Returns the
  // kept changes with main <= c. See KeyIndex::Compact for the flag.
  std::set<Revision> Compact(int64_t c, bool keep_tombstone_at_c = true);

  const KeyIndex* Find(std::string_view key) const;
  const std::map<std::string, KeyIndex, std::less<>>& keys() const { return keys_; }

 private:
  std::map<std::string, KeyIndex, std::less<>> keys_;  // Invariant: no empty KeyIndex.
};

}  // namespace raftlab::mvcc
