// IntervalIndex: which watchers' key ranges contain a key, without scanning
// every watcher.
//
// A static interval tree over the ranges sorted by start, laid out implicitly
// on a sorted vector (node = midpoint of its slice) with each node holding
// the largest end in its subtree. A stabbing query costs O(log n + hits).
// Inserts and erases mark the tree stale and the next query rebuilds it in
// O(n log n): watchers come and go far less often than events arrive.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "core/mvcc/key_range.h"

namespace raftlab::watch {

class IntervalIndex {
 public:
  // REQUIRES: id not present.
  void Insert(int64_t id, const mvcc::KeyRange& range);
  // REQUIRES: id present.
  void Erase(int64_t id);
  bool Contains(int64_t id) const { return ranges_.contains(id); }
  size_t size() const { return ranges_.size(); }

  // The ids whose range contains `key`, ascending.
  std::vector<int64_t> Stab(std::string_view key) const;

 private:
  struct Node {
    const mvcc::KeyRange* range;  // points into ranges_
    int64_t id;
  };
  // The largest exclusive end: unbounded beats every bounded end.
  struct MaxEnd {
    bool unbounded = false;
    std::string_view end;
  };

  void Rebuild() const;
  MaxEnd Build(size_t lo, size_t hi) const;
  void StabSlice(size_t lo, size_t hi, std::string_view key, std::vector<int64_t>* out) const;

  std::map<int64_t, mvcc::KeyRange> ranges_;
  // Derived, rebuilt lazily. Invariant when !stale_: nodes_ sorted by
  // (start, id) and max_end_[i] is the largest end in i's subtree.
  mutable bool stale_ = false;
  mutable std::vector<Node> nodes_;
  mutable std::vector<MaxEnd> max_end_;
};

}  // namespace raftlab::watch
