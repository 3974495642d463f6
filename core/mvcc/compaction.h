// Compaction (S6), implemented by KvStore::Compact.
//
// Compact(c) fails with Compacted if c <= C and FutureRev if c > R; otherwise
// it sets C = c and prunes synchronously (so `physical` changes nothing):
// each key keeps its changes above c plus its latest change <= c, unless that
// is a tombstone below c ([main]: a tombstone exactly at c stays). The state
// at c stays fully readable; R does not change.
#pragma once

#include "core/mvcc/kv_store.h"
