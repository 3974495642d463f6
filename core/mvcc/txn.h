// Txn: etcd's mini-transactions (S5), implemented by KvStore::Txn.
//
// Order of evaluation, as etcd v3.4's applier:
// 1. ValidateTxn: static checks on the whole request, both branches and every
//    nested txn (op limits, empty keys, provided values/leases, a branch
//    writing one key twice or putting a key it also deletes).
// 2. The guard of the outer txn and, along the chosen path, of every nested
//    txn is evaluated against the state before the txn ("compareToPath").
// 3. The ops on that path are checked against the same state: ignore_* on a
//    missing key, unknown leases, inner ranges at future or compacted
//    revisions. Any failure rejects the txn with nothing applied.
//    Quirk kept from etcd: the duplicate check looks at a nested txn's puts
//    only against deletes seen before it, so a nested put followed by a
//    later nested delete of the same key passes; the key then gets a put and
//    a tombstone in one revision (two events, sub order).
// 4. The path executes in list order in one revision R+1; reads see the
//    path's earlier writes. Every header in the response, nested ones
//    included, carries the final revision (R+1 if anything was written).
#pragma once

#include <cstdint>

#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {

// The guard term `cmp` over the state of `store` at revision `at` (S5.1, S5.2).
bool EvaluateCompare(const KvStore& store, const etcdserverpb::Compare& cmp, int64_t at);

}  // namespace raftlab::mvcc
