// A random workload for watch properties: writes, watch creation at random
// start revisions (past, compacted, current, future), cancels with resumes,
// catch-up steps, progress requests and compactions. It records every
// watch's response stream and an independent oracle of the history: the
// changes of every revision and the full key-value state at every revision.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/mvcc/kv_store.h"
#include "core/watch/watchable_store.h"
#include "tests/core/mvcc/fake_leases.h"

namespace raftlab::watch::testing {

struct WatchRecord {
  int64_t watch_id = 0;
  etcdserverpb::WatchCreateRequest req;
  int64_t created_at_revision = 0;
  int64_t created_at_compact = 0;
  int64_t start = 0;  // effective start revision
  std::vector<etcdserverpb::WatchResponse> stream;
  bool user_canceled = false;
  int resumed_from = -1;  // index of the record this one resumes
};

class WatchSim {
 public:
  explicit WatchSim(const std::vector<std::vector<uint8_t>>& tapes);

  const std::vector<WatchRecord>& watches() const { return watches_; }
  // Events of the history a watch must see from `from` on (filters applied,
  // prev_kv not set), in (revision, sub) order. A revision c that was
  // compacted exactly (Compact(c)) keeps only the latest change of each key
  // (S6.2: a nested txn may put and then delete one key in one revision, and
  // only the tombstone survives), so a watch that caught up through c after
  // the compaction sees that retained form. `got`, the events the watch
  // received, picks which of the two forms (both from the oracle's own
  // record) applies at such a revision; elsewhere it plays no part.
  std::vector<mvccpb::Event> Expected(const WatchRecord& w, int64_t from,
                                      const std::vector<mvccpb::Event>& got) const;
  std::vector<mvccpb::Event> ExpectedAt(const WatchRecord& w, int64_t revision,
                                        const std::vector<mvccpb::Event>& got) const;
  // The oracle's KeyValue of `key` at `revision`, or null.
  const mvccpb::KeyValue* StateAt(const std::string& key, int64_t revision) const;
  int64_t final_compact() const { return kv_.compact_revision(); }
  int64_t final_revision() const { return kv_.current_revision(); }

 private:
  void Write(const std::vector<uint8_t>& bytes);
  void CreateWatch(const std::vector<uint8_t>& bytes, int resumed_from, int64_t start);
  void CancelWatch(const std::vector<uint8_t>& bytes);
  void DrainAll();

  mvcc::testing::FakeLeases leases_{{1, 2}};
  mvcc::KvStore kv_{&leases_};
  WatchableStore store_;
  // history_[r]: the changes of revision r; states_[r]: key -> KeyValue at r.
  std::vector<std::vector<mvccpb::Event>> history_;
  std::vector<std::map<std::string, mvccpb::KeyValue>> states_;
  std::set<int64_t> compacted_at_;  // every c of a Compact(c) that succeeded
  std::vector<WatchRecord> watches_;
  std::map<int64_t, size_t> by_id_;
};

// Events of the stream, in arrival order.
std::vector<mvccpb::Event> ReceivedEvents(const WatchRecord& w);
bool SameEvent(const mvccpb::Event& a, const mvccpb::Event& b);  // type and kv

}  // namespace raftlab::watch::testing
