// What a simulated (or live) run recorded beyond linearizability ops: the
// committed write order, watch streams, lease and compaction requests, and
// acknowledged writes. Plain values with no dependency on the core or its
// protobufs, so the checkers over them (sim_checks.h) are pure functions
// that tests can feed hand-made records.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace raftlab::checker {

// One change of a committed revision, in sub order.
struct KvChange {
  bool is_delete = false;
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // puts only
  int64_t version = 0;          // puts only
  int64_t lease = 0;            // puts only
  bool operator==(const KvChange&) const = default;
};

struct CommittedRevision {
  uint64_t first_applied_ns = 0;  // when the first member applied it
  std::vector<KvChange> changes;  // Invariant: non-empty, in sub order
};

// The committed write order: every revision above 1 that any member applied,
// as the first member to apply it saw it.
struct CommittedHistory {
  std::map<int64_t, CommittedRevision> revisions;
  int64_t final_revision = 1;  // the highest revision applied
};

// A key's state as a watch or read reports it.
struct KeyValueView {
  std::string key;
  std::string value;
  int64_t mod_revision = 0;
  int64_t create_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
  bool operator==(const KeyValueView&) const = default;
};

struct WatchEventView {
  bool is_delete = false;
  KeyValueView kv;                      // DELETE: {key, mod_revision} only
  std::optional<KeyValueView> prev_kv;  // when the watch asked for prev_kv
};

// One thing a watch client saw, in order.
struct WatchRecord {
  enum class Kind : uint8_t {
    kCreated,    // a (re)connect: the create response
    kEvents,     // a response with events
    kCompacted,  // canceled because the start was compacted (compact_revision set)
    kCanceled,   // canceled for another reason
    kBroken,     // the client gave up on the member (crash, stall) and will reconnect
    kProgress,   // a bookmark: no events, every matching one up to header_revision delivered
  };
  Kind kind = Kind::kEvents;
  uint64_t time_ns = 0;
  uint64_t node = 0;
  int64_t watch_id = 0;
  int64_t requested_start = 0;   // kCreated: the start revision asked for (0: now)
  int64_t header_revision = 0;   // the response header's revision
  int64_t compact_revision = 0;  // kCompacted
  bool fragment = false;
  std::vector<WatchEventView> events;
  std::string reason;  // kCanceled, kBroken
};

// One client's logical watch across reconnects.
struct WatchStream {
  uint64_t client = 0;
  std::string key;
  std::string range_end;  // etcd conventions: "" one key, "\0" every key >= key
  bool prev_kv = false;
  bool progress_notify = false;  // asked for bookmarks
  bool no_put = false;           // the NOPUT filter
  bool no_delete = false;        // the NODELETE filter
  std::vector<WatchRecord> records;
};

// A lease-client request (grant, put, keepalive, revoke) or a compaction.
struct AuxOp {
  uint64_t client = 0;
  uint64_t op_id = 0;
  std::string f;  // "grant", "put", "keepalive", "revoke", "compact"
  uint64_t node = 0;
  uint64_t invoke_ns = 0;
  std::optional<uint64_t> return_ns;  // none when indeterminate
  std::string status;                 // "ok", "fail", "info"
  int64_t lease = 0;
  int64_t ttl_seconds = 0;  // grant: asked, then granted; keepalive: returned (0: lease gone)
  std::string key;          // put
  std::string value;        // put
  std::optional<int64_t> revision;  // put: header revision; compact: the compact revision
  std::string error;
};

// An acknowledged write: put, successful txn (a put), or a delete that deleted.
struct AckedWrite {
  std::string origin;  // "client 3 op 17", for messages
  std::string key;
  bool is_delete = false;
  std::string value;
  int64_t revision = 0;
};

}  // namespace raftlab::checker
