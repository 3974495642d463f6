#include "core/watch/interval_index.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::watch {
namespace {

// True if a range ending at `end` (exclusive) can still contain `key`.
bool EndsAfter(bool unbounded, std::string_view end, std::string_view key) {
  return unbounded || key < end;
}

}  // namespace

void IntervalIndex::Insert(int64_t id, const mvcc::KeyRange& range) {
  CHECK(!ranges_.contains(id));
  ranges_.emplace(id, range);
  stale_ = true;
  CHECK(ranges_.contains(id));
}

void IntervalIndex::Erase(int64_t id) {
  CHECK_EQ(ranges_.erase(id), 1u);
  stale_ = true;
  CHECK(!ranges_.contains(id));
}

void IntervalIndex::Rebuild() const {
  nodes_.clear();
  for (const auto& [id, range] : ranges_) nodes_.push_back(Node{&range, id});
  std::sort(nodes_.begin(), nodes_.end(), [](const Node& a, const Node& b) {
    if (a.range->start != b.range->start) return a.range->start < b.range->start;
    return a.id < b.id;
  });
  max_end_.assign(nodes_.size(), MaxEnd{});
  Build(0, nodes_.size());
  stale_ = false;
  CHECK_EQ(nodes_.size(), ranges_.size());
}

IntervalIndex::MaxEnd IntervalIndex::Build(size_t lo, size_t hi) const {
  if (lo >= hi) return MaxEnd{};
  const size_t mid = lo + (hi - lo) / 2;
  MaxEnd best{nodes_[mid].range->unbounded, nodes_[mid].range->end};
  for (const MaxEnd& child : {Build(lo, mid), Build(mid + 1, hi)}) {
    if (best.unbounded) break;
    if (child.unbounded || child.end > best.end) best = child;
  }
  max_end_[mid] = best;
  return best;
}

void IntervalIndex::StabSlice(size_t lo, size_t hi, std::string_view key,
                              std::vector<int64_t>* out) const {
  if (lo >= hi) return;
  const size_t mid = lo + (hi - lo) / 2;
  // Nothing in this subtree reaches past key: prune.
  if (!EndsAfter(max_end_[mid].unbounded, max_end_[mid].end, key)) return;
  StabSlice(lo, mid, key, out);
  const Node& node = nodes_[mid];
  // The right subtree starts at or after this node's start.
  if (key < node.range->start) return;
  if (node.range->Contains(key)) out->push_back(node.id);
  StabSlice(mid + 1, hi, key, out);
}

std::vector<int64_t> IntervalIndex::Stab(std::string_view key) const {
  if (stale_) Rebuild();
  std::vector<int64_t> out;
  StabSlice(0, nodes_.size(), key, &out);
  std::sort(out.begin(), out.end());
  CHECK_LE(out.size(), ranges_.size());
  return out;
}

}  // namespace raftlab::watch
