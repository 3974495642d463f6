#include "core/mvcc/revision.h"

namespace raftlab::mvcc {
namespace {

void PutBigEndian(std::string* out, int64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>(static_cast<uint64_t>(v) >> shift));
  }
}

int64_t GetBigEndian(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return static_cast<int64_t>(v);
}

}  // namespace

std::string RevisionKey(Revision rev, bool tombstone) {
  std::string out;
  out.reserve(18);
  PutBigEndian(&out, rev.main);
  out.push_back('_');
  PutBigEndian(&out, rev.sub);
  if (tombstone) out.push_back('t');
  return out;
}

std::optional<ParsedRevisionKey> ParseRevisionKey(std::string_view key) {
  if (key.size() != 17 && !(key.size() == 18 && key[17] == 't')) return std::nullopt;
  if (key[8] != '_') return std::nullopt;
  ParsedRevisionKey out{{GetBigEndian(key, 0), GetBigEndian(key, 9)}, key.size() == 18};
  if (out.rev.main < 0 || out.rev.sub < 0) return std::nullopt;
  return out;
}

}  // namespace raftlab::mvcc
