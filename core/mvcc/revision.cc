#include "core/mvcc/revision.h"

#include "core/base/fixed64.h"

namespace raftlab::mvcc {

std::string RevisionKey(Revision rev, bool tombstone) {
  std::string out = EncodeFixed64(static_cast<uint64_t>(rev.main));
  out.push_back('_');
  out += EncodeFixed64(static_cast<uint64_t>(rev.sub));
  if (tombstone) out.push_back('t');
  return out;
}

std::optional<ParsedRevisionKey> ParseRevisionKey(std::string_view key) {
  if (key.size() != 17 && !(key.size() == 18 && key[17] == 't')) return std::nullopt;
  if (key[8] != '_') return std::nullopt;
  const auto main = static_cast<int64_t>(*DecodeFixed64(std::string(key.substr(0, 8))));
  const auto sub = static_cast<int64_t>(*DecodeFixed64(std::string(key.substr(9, 8))));
  if (main < 0 || sub < 0) return std::nullopt;
  return ParsedRevisionKey{{main, sub}, key.size() == 18};
}

}  // namespace raftlab::mvcc
