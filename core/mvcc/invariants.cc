// KvStore::CheckInvariants: the store's state check (LogCabin-style), run
// after every step of the model-based test.
#include <set>

#include "core/base/check.h"
#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {

void KvStore::CheckInvariants() const {
  CHECK_GE(current_revision_, 1);
  CHECK_LE(compact_revision_, current_revision_);
  std::set<Revision> referenced;
  for (const auto& [key, ki] : index_.keys()) {
    CHECK(!ki.Empty());  // S6.3: keys without changes leave the index
    const auto& gens = ki.generations();
    for (size_t g = 0; g < gens.size(); ++g) {
      CHECK(!gens[g].revs.empty());
      if (g + 1 < gens.size()) CHECK(gens[g].closed);
      for (size_t i = 0; i < gens[g].revs.size(); ++i) {
        const Revision& rev = gens[g].revs[i];
        if (i > 0) CHECK_LT(gens[g].revs[i - 1], rev);
        CHECK(referenced.insert(rev).second);
        auto it = records_.find(rev);
        CHECK(it != records_.end());
        CHECK_EQ(it->second.kv.key(), key);
        const bool tombstone = gens[g].closed && i + 1 == gens[g].revs.size();
        CHECK_EQ(it->second.tombstone, tombstone);
      }
    }
    CHECK_EQ(ki.Alive(), Get(key, current_revision_) != nullptr);
  }
  CHECK_EQ(referenced.size(), records_.size());
  for (const auto& [rev, record] : records_) {
    CHECK_LE(rev.main, current_revision_);
    CHECK_EQ(record.kv.mod_revision(), rev.main);
    if (record.tombstone) CHECK(record.kv.value().empty());
    if (!record.tombstone) CHECK_GE(record.kv.version(), 1);
  }
}

}  // namespace raftlab::mvcc
