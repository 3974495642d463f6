#include "core/mvcc/key_range.h"

#include "core/base/check.h"

namespace raftlab::mvcc {

KeyRange KeyRange::FromRequest(std::string_view key, std::string_view range_end) {
  KeyRange range;
  range.start = std::string(key);
  if (range_end.empty()) {
    // The single key: its immediate successor in byte order is key + "\0".
    range.end = std::string(key) + std::string(1, '\0');
  } else if (range_end.size() == 1 && range_end[0] == '\0') {
    range.unbounded = true;
  } else {
    range.end = std::string(range_end);
  }
  if (range_end.empty()) CHECK(range.Contains(key));
  if (range.unbounded) CHECK(range.end.empty());
  return range;
}

bool KeyRange::Overlaps(const KeyRange& other) const {
  if (Empty() || other.Empty()) return false;
  // Two intervals overlap iff each starts before the other ends.
  const bool this_before_other_end = other.unbounded || start < other.end;
  const bool other_before_this_end = unbounded || other.start < end;
  return this_before_other_end && other_before_this_end;
}

}  // namespace raftlab::mvcc
