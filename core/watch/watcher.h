// Watcher: one watch's parameters and delivery progress.
#pragma once

#include <cstdint>

#include "core/mvcc/key_range.h"

namespace raftlab::watch {

struct Watcher {
  int64_t id = 0;
  mvcc::KeyRange range;
  int64_t start_revision = 0;  // Invariant: no event below it is ever delivered.
  bool prev_kv = false;
  bool progress_notify = false;
  bool fragment = false;
  bool no_put = false;
  bool no_delete = false;
  // Unsynced: the next revision to replay from the store. Synced watchers
  // have seen everything up to the store's R.
  int64_t next_revision = 0;
  bool synced = false;
  // The highest revision of an event or bookmark sent. Invariant: strictly
  // increases with each event response; bookmarks never go below it.
  int64_t last_sent_revision = 0;
};

}  // namespace raftlab::watch
