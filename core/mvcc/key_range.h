// KeyRange: the half-open byte-order interval named by (key, range_end), with
// etcd's conventions (S3.1): an empty end is the single key, "\0" is every
// key >= key.
#pragma once

#include <string>
#include <string_view>

namespace raftlab::mvcc {

struct KeyRange {
  std::string start;
  std::string end;           // exclusive; meaningless when unbounded
  bool unbounded = false;    // true: every key >= start

  // Builds the interval of a request's (key, range_end).
  static KeyRange FromRequest(std::string_view key, std::string_view range_end);

  bool Contains(std::string_view key) const {
    if (key < start) return false;
    return unbounded || key < end;
  }
  // True if no key can be inside.
  bool Empty() const { return !unbounded && end <= start; }
  // True if [start, end) overlaps other.
  bool Overlaps(const KeyRange& other) const;
};

}  // namespace raftlab::mvcc
