#include "core/mvcc/hash.h"

#include <string>

#include "core/base/check.h"
#include "core/base/crc32c.h"

namespace raftlab::mvcc {
namespace {

void AppendBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendBytes(std::string* out, const std::string& bytes) {
  CHECK_LE(bytes.size(), 0xffffffffu);
  AppendBigEndian(out, bytes.size(), 4);
  out->append(bytes);
}

}  // namespace

HashResult HashKv(const KvStore& store, int64_t revision) {
  HashResult result;
  result.compact_revision = store.compact_revision();
  const int64_t at = revision > 0 ? revision : store.current_revision();
  if (at > store.current_revision()) {
    result.status = KvStatus::kFutureRev;
    return result;
  }
  if (at < store.compact_revision()) {
    result.status = KvStatus::kCompacted;
    return result;
  }
  uint32_t crc = 0;
  std::string buf;
  for (const auto& [rev, record] : store.records()) {
    if (rev.main > at) break;
    buf.clear();
    AppendBigEndian(&buf, static_cast<uint64_t>(rev.main), 8);
    AppendBigEndian(&buf, static_cast<uint64_t>(rev.sub), 8);
    buf.push_back(record.tombstone ? 1 : 0);
    AppendBytes(&buf, record.kv.key());
    AppendBytes(&buf, record.kv.value());
    AppendBigEndian(&buf, static_cast<uint64_t>(record.kv.create_revision()), 8);
    AppendBigEndian(&buf, static_cast<uint64_t>(record.kv.mod_revision()), 8);
    AppendBigEndian(&buf, static_cast<uint64_t>(record.kv.version()), 8);
    AppendBigEndian(&buf, static_cast<uint64_t>(record.kv.lease()), 8);
    CHECK_GE(buf.size(), 8u + 8u + 1u + 4u + 4u + 32u);
    crc = crc32c::Extend(crc, buf.data(), buf.size());
  }
  result.hash = crc;
  result.hash_revision = at;
  return result;
}

}  // namespace raftlab::mvcc
