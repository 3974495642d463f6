// KeyIndex: the history of one key as a list of generations (S2.1).
//
// A generation opens with a put into an absent key and is closed by a delete,
// whose tombstone is the generation's last revision. Reads at revision r see
// the latest change with main <= r; a tombstone there means "absent" (S2.3).
// Compaction keeps every change above c plus the latest change <= c, which is
// dropped if it is a tombstone below c; a tombstone exactly at c is kept
// ([main] rule of S6.2), so a watch from c still sees that DELETE.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/mvcc/revision.h"

namespace raftlab::mvcc {

struct Generation {
  std::vector<Revision> revs;  // Invariant: strictly ascending, non-empty once stored.
  bool closed = false;         // Invariant: closed iff revs.back() is a tombstone.
};

class KeyIndex {
 public:
  // Records a put. REQUIRES: rev above every recorded revision.
  void Put(Revision rev);
  // Records a delete. REQUIRES: the key is alive; rev above every recorded one.
  void Tombstone(Revision rev);
  // Restore only: a tombstone with no put before it, which compaction can
  // leave behind (the put was compacted away, the tombstone at c was kept).
  void RestoreTombstone(Revision rev);

  // The revision of the put visible at main revision `at`, or nullopt if the
  // key is absent at `at`.
  std::optional<Revision> Get(int64_t at) const;
  // The latest change with main <= at and whether it is a tombstone.
  std::optional<Revision> LatestAtOrBelow(int64_t at, bool* tombstone) const;

  // True if the key currently exists.
  bool Alive() const { return !generations_.empty() && !generations_.back().closed; }
  bool Empty() const { return generations_.empty(); }
  Revision LastRevision() const;

  // Drops changes made unreachable by compaction at c; adds the kept changes
  // with main <= c to *kept. keep_tombstone_at_c = false plants bug B25
  // (KvStore decides; see compaction.cc).
  void Compact(int64_t c, std::set<Revision>* kept, bool keep_tombstone_at_c = true);

  const std::vector<Generation>& generations() const { return generations_; }
  // "{2,0} {3,0} t{4,0} | {6,0}": generations separated by "|", tombstones
  // prefixed with "t". Used by golden files.
  std::string Describe() const;

 private:
  // Invariant: every generation but the last is closed.
  std::vector<Generation> generations_;
};

}  // namespace raftlab::mvcc
