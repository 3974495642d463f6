#include "core/mvcc/tree_index.h"

#include "core/base/check.h"

namespace raftlab::mvcc {

void TreeIndex::Put(std::string_view key, Revision rev) {
  CHECK(!key.empty());
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(std::string(key), KeyIndex()).first;
  it->second.Put(rev);
  CHECK(it->second.Alive());
}

void TreeIndex::Tombstone(std::string_view key, Revision rev) {
  auto it = keys_.find(key);
  CHECK(it != keys_.end());
  it->second.Tombstone(rev);
  CHECK(!it->second.Alive());
}

void TreeIndex::RestoreTombstone(std::string_view key, Revision rev) {
  CHECK(!key.empty());
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(std::string(key), KeyIndex()).first;
  it->second.RestoreTombstone(rev);
}

std::optional<Revision> TreeIndex::Get(std::string_view key, int64_t at) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second.Get(at);
}

void TreeIndex::Range(const KeyRange& range, int64_t at,
                      const std::function<void(const std::string&, Revision)>& visit) const {
  if (range.Empty()) return;
  for (auto it = keys_.lower_bound(range.start); it != keys_.end(); ++it) {
    if (!range.unbounded && it->first >= range.end) break;
    CHECK(range.Contains(it->first));
    std::optional<Revision> rev = it->second.Get(at);
    if (rev) visit(it->first, *rev);
  }
}

std::set<Revision> TreeIndex::Compact(int64_t c, bool keep_tombstone_at_c) {
  std::set<Revision> kept;
  for (auto it = keys_.begin(); it != keys_.end();) {
    it->second.Compact(c, &kept, keep_tombstone_at_c);
    if (it->second.Empty()) {
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
  for (const Revision& rev : kept) CHECK_LE(rev.main, c);
  return kept;
}

const KeyIndex* TreeIndex::Find(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace raftlab::mvcc
