// HashKv: a checksum of the store's history up to a revision, for comparing
// replicas (etcd's HashKV; the MVCC checker asserts equal hashes at equal
// revisions).
//
// What is hashed: CRC-32C over every retained record with main <= revision,
// in (main, sub) order. Records removed by compaction are not retained, so
// they are skipped; a replica that compacted at a different point can differ
// below its compact revision, as in etcd. Each record contributes, all
// integers big-endian:
//   main (8 bytes) | sub (8) | tombstone (1 byte: 0 or 1) |
//   key length (4) | key | value length (4) | value |
//   create_revision (8) | mod_revision (8) | version (8) | lease (8)
// Protobuf bytes are not hashed, so the hash does not depend on the
// serializer's field order.
#pragma once

#include <cstdint>

#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {

struct HashResult {
  KvStatus status = KvStatus::kOk;  // FutureRev / Compacted as for Range
  uint32_t hash = 0;
  int64_t hash_revision = 0;     // the revision hashed up to
  int64_t compact_revision = 0;  // C when hashed
};

// revision <= 0 means the current revision.
HashResult HashKv(const KvStore& store, int64_t revision);

}  // namespace raftlab::mvcc
