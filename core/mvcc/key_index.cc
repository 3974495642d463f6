#include "core/mvcc/key_index.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::mvcc {

Revision KeyIndex::LastRevision() const {
  CHECK(!generations_.empty());
  CHECK(!generations_.back().revs.empty());
  return generations_.back().revs.back();
}

void KeyIndex::Put(Revision rev) {
  if (!generations_.empty()) CHECK_LT(LastRevision(), rev);
  if (generations_.empty() || generations_.back().closed) generations_.emplace_back();
  generations_.back().revs.push_back(rev);
  CHECK(Alive());
}

void KeyIndex::Tombstone(Revision rev) {
  CHECK(Alive());
  CHECK_LT(LastRevision(), rev);
  generations_.back().revs.push_back(rev);
  generations_.back().closed = true;
  CHECK(!Alive());
}

void KeyIndex::RestoreTombstone(Revision rev) {
  if (Alive()) {
    Tombstone(rev);
    return;
  }
  if (!generations_.empty()) CHECK_LT(LastRevision(), rev);
  generations_.push_back(Generation{{rev}, true});
  CHECK(!Alive());
}

std::optional<Revision> KeyIndex::LatestAtOrBelow(int64_t at, bool* tombstone) const {
  for (auto gen = generations_.rbegin(); gen != generations_.rend(); ++gen) {
    CHECK(!gen->revs.empty());
    // First revision with main > at; the one before it is the answer.
    auto it = std::upper_bound(gen->revs.begin(), gen->revs.end(), at,
                               [](int64_t v, const Revision& r) { return v < r.main; });
    if (it == gen->revs.begin()) continue;
    --it;
    CHECK_LE(it->main, at);
    *tombstone = gen->closed && std::next(it) == gen->revs.end();
    return *it;
  }
  *tombstone = false;
  return std::nullopt;
}

std::optional<Revision> KeyIndex::Get(int64_t at) const {
  bool tombstone = false;
  std::optional<Revision> latest = LatestAtOrBelow(at, &tombstone);
  if (!latest || tombstone) return std::nullopt;
  CHECK_LE(latest->main, at);
  return latest;
}

void KeyIndex::Compact(int64_t c, std::set<Revision>* kept, bool keep_tombstone_at_c) {
  bool tombstone = false;
  std::optional<Revision> latest = LatestAtOrBelow(c, &tombstone);
  // S6.2: the latest change <= c survives unless it is a tombstone below c.
  const bool dropped_tombstone =
      tombstone && (latest->main < c || (!keep_tombstone_at_c && latest->main == c));
  const bool keep_latest = latest.has_value() && !dropped_tombstone;
  std::vector<Generation> out;
  for (Generation& gen : generations_) {
    Generation next;
    next.closed = gen.closed;
    for (const Revision& rev : gen.revs) {
      const bool is_latest = latest.has_value() && rev == *latest;
      if (rev.main > c || (is_latest && keep_latest)) next.revs.push_back(rev);
      if (is_latest && keep_latest) kept->insert(rev);
    }
    if (!next.revs.empty()) out.push_back(std::move(next));
  }
  generations_ = std::move(out);
  for (size_t i = 0; i + 1 < generations_.size(); ++i) CHECK(generations_[i].closed);
  if (latest && dropped_tombstone) CHECK(!kept->contains(*latest));
}

std::string KeyIndex::Describe() const {
  std::string out;
  for (size_t g = 0; g < generations_.size(); ++g) {
    if (g > 0) out += " | ";
    const Generation& gen = generations_[g];
    for (size_t i = 0; i < gen.revs.size(); ++i) {
      if (i > 0) out += " ";
      if (gen.closed && i + 1 == gen.revs.size()) out += "t";
      out += gen.revs[i].ToString();
    }
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace raftlab::mvcc
