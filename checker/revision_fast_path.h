// The revision-indexed fast path for etcd histories (SEMANTICS.md S9.7).
//
// Contract: every acknowledged write in an etcd history reports a unique
// revision, so the order of acknowledged ops is known: writes by revision
// (1 is the empty store), each read, failed txn and no-op delete (deleted 0)
// right after the write of its header revision. Indeterminate writes (put,
// txn, delete with status info) may take effect at any point after their
// invocation, or never; every revision in 2..R (R the highest revision any
// response reports) that no acknowledged write holds is a gap, and exactly
// one indeterminate write must fill each gap, after its invocation allows
// (no op placed after the gap returned before it was invoked) and where its
// precondition holds (a txn's compare, a delete's key present). The fast
// path searches that assignment gap by gap in revision order, replaying the
// store and checking every response against the state at its revision:
//   - values no response reads or compares against are interchangeable, so
//     such writes on one key with the same precondition form one class and
//     the search branches over classes, not ops;
//   - a value read (or compared) that only one indeterminate write produces
//     pins that write to the gaps between its first observation and the
//     key's last acknowledged write (or observation the value fails) before
//     its last observation, where its own precondition can hold;
//   - a failed check names the gaps whose choices decided it, and a gap
//     whose candidates all failed jumps back to the latest such gap
//     (conflict-directed backjumping), so a violation behind many ambiguous
//     gaps is refuted without trying their combinations;
//   - failures are tied to the keys they concern: a check that fails
//     whatever a gap holds, or a later gap's failure about a few keys,
//     leaves only the candidates writing those keys (others are skipped);
//   - candidates go in the order their key's next acknowledged op suggests:
//     writes it needs first, writes it would reject last;
//   - failed (gap index, store, writes used per class) states are memoised.
// It decides exactly the etcd model's verdict (the WGL search's, given
// unlimited resources) whenever it returns a verdict. It returns nullopt
// (use WGL) when a response lacks its revision, an ok delete lacks its
// `deleted` count, an indeterminate op carries a revision, the history has
// an op the etcd model rejects (append, a put of nil), there are more than
// 16384 gaps, or the search exceeds its step budget (about 3e7 steps: many
// candidates that responses do not tell apart). Time: near-linear in the
// history when responses pin the indeterminate writes; the budget bounds
// the rest.
#pragma once

#include <optional>

#include "checker/history.h"
#include "checker/wgl_search.h"

namespace raftlab::checker {

// REQUIRES: `prepared` came from Prepare().
std::optional<Verdict> CheckByRevisions(const History& prepared);

}  // namespace raftlab::checker
