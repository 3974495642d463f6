// Checkers over recorded runs (sim_records.h), judged against the committed
// write order. Each returns one line per finding, prefixed "watch: ",
// "lease: " or "durability: ", naming the stream or key and the revision;
// an empty vector means the property held. Pure and deterministic.
//
// WATCH (SEMANTICS.md S7): per logical stream, across reconnects --
//   ordered   event revisions strictly increase (a fragmented revision may
//             continue in the next response);
//   unique    no (revision, key) is delivered twice;
//   correct   every event is a committed change of that revision and range;
//   atomic    a revision's events arrive together: all its matching changes;
//   reliable  no matching committed revision between the stream's start and
//             its last delivered revision is skipped, except below a
//             compaction that was announced to the client;
//   prev_kv   when asked for, the key's value at revision - 1 (absent for a
//             create or when that revision may be compacted).
// LEASE (S8.7): a key put under a lease is never deleted by a revoke the
//   client did not ask for earlier than TTL (scaled by the fastest a member's
//   clock may run) after the last acknowledged grant or keepalive invocation.
// DURABILITY: every acknowledged write appears in the committed history at
//   its revision (not above the final revision, same key and value).
#pragma once

#include <string>
#include <vector>

#include "checker/sim_records.h"

namespace raftlab::checker {

std::vector<std::string> CheckWatchStreams(const CommittedHistory& history,
                                           const std::vector<WatchStream>& streams,
                                           const std::vector<AuxOp>& compactions);

struct LeaseCheckOptions {
  // The fastest a member's clock runs relative to real time, as parts per
  // million above 1 (500000: up to 1.5x). A fast leader clock legitimately
  // expires a lease early in real time.
  int64_t clock_fast_ppm_max = 0;
};

std::vector<std::string> CheckLeases(const CommittedHistory& history,
                                     const std::vector<AuxOp>& lease_ops,
                                     const LeaseCheckOptions& options);

std::vector<std::string> CheckDurability(const CommittedHistory& history,
                                         const std::vector<AckedWrite>& writes);

// etcd's (key, range_end) conventions (S3.1).
bool InWatchRange(const std::string& key, const std::string& range_end, const std::string& k);

}  // namespace raftlab::checker
