// The revision-indexed fast path for etcd histories (SEMANTICS.md S9.7).
//
// Contract: every successful write in an etcd history reports a unique
// revision, so the linearization order of writes is known: sort writes by
// revision, require revisions 2, 3, ... (1 is the empty store) and that this
// order respects real time, replay them, and check every read (and every
// failed txn) against the state at its header revision, placed right after
// the write of that revision. Decides exactly the etcd model's verdict when
// it applies; returns nullopt (use WGL) when the history has indeterminate
// operations, a response without a revision, or a delete (whether a delete
// bumped the revision is not recorded in the history).
#pragma once

#include <optional>

#include "checker/history.h"
#include "checker/wgl_search.h"

namespace raftlab::checker {

// REQUIRES: `prepared` came from Prepare().
std::optional<Verdict> CheckByRevisions(const History& prepared);

}  // namespace raftlab::checker
