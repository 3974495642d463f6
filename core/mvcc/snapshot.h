// The store's state as bytes, for Raft snapshots.
//
// Layout: magic "RLMV" | crc32c of payload (4 bytes, little-endian) |
// payload length (8 bytes, little-endian) | payload (statepb.MvccState).
// Decoding checks all three and that the records form a valid history, so a
// flipped bit or a truncated buffer is a kCorruption error, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {

std::string EncodeSnapshot(const KvStore& store);

// The restored store has no lease binder; the caller sets one. `bugs` plants
// B26 (the restored R is derived from the records) and is kept by the store.
Result<KvStore> DecodeSnapshot(std::string_view bytes, BugSet bugs = {});

}  // namespace raftlab::mvcc
