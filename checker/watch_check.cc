// The WATCH checker (sim_checks.h): one pass over each stream, with the
// committed history indexed by key for prev_kv. Filters narrow what a stream
// is owed; progress notifications (bookmarks) are promises checked like
// deliveries.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "checker/sim_checks.h"

namespace raftlab::checker {

bool InWatchRange(const std::string& key, const std::string& range_end, const std::string& k) {
  if (range_end.empty()) return k == key;
  if (k < key) return false;
  if (range_end == std::string(1, '\0')) return true;  // every key >= key
  return k < range_end;
}

namespace {

constexpr size_t kFindingsPerStream = 5;

using KeyHistory = std::map<std::string, std::map<int64_t, const KvChange*>>;

KeyHistory IndexByKey(const CommittedHistory& history) {
  KeyHistory out;
  for (const auto& [rev, committed] : history.revisions) {
    for (const KvChange& c : committed.changes) out[c.key][rev] = &c;
  }
  return out;
}

std::string Printable(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\0') ? std::string("\\0") : std::string(1, c);
  return out;
}

class StreamChecker {
 public:
  StreamChecker(const CommittedHistory& history, const KeyHistory& keys,
                int64_t compacted_max, const WatchStream& stream)
      : history_(history), keys_(keys), compacted_max_(compacted_max), stream_(stream),
        name_(fmt::format("stream {} [{}, {})", stream.client, Printable(stream.key),
                          Printable(stream.range_end))) {}

  std::vector<std::string> Run() {
    for (const WatchRecord& rec : stream_.records) {
      switch (rec.kind) {
        case WatchRecord::Kind::kCreated: OnCreated(rec); break;
        case WatchRecord::Kind::kCompacted:
          // Everything below the announced compact revision is excused.
          next_ = std::max(next_, rec.compact_revision);
          break;
        case WatchRecord::Kind::kEvents: OnEvents(rec); break;
        case WatchRecord::Kind::kProgress: OnProgress(rec); break;
        case WatchRecord::Kind::kCanceled:
        case WatchRecord::Kind::kBroken: break;
      }
    }
    return std::move(findings_);
  }

 private:
  void Find(std::string what) {
    if (findings_.size() < kFindingsPerStream) findings_.push_back("watch: " + name_ + ": " + what);
  }

  std::vector<const KvChange*> Matching(int64_t rev) const {
    std::vector<const KvChange*> out;
    auto it = history_.revisions.find(rev);
    if (it == history_.revisions.end()) return out;
    for (const KvChange& c : it->second.changes) {
      if (InWatchRange(stream_.key, stream_.range_end, c.key) && !Filtered(c.is_delete)) {
        out.push_back(&c);
      }
    }
    return out;
  }

  bool Filtered(bool is_delete) const { return is_delete ? stream_.no_delete : stream_.no_put; }

  // Bookmarkable: a progress notification at R promises every matching
  // event up to R was delivered and none at or below R will follow.
  void OnProgress(const WatchRecord& rec) {
    if (open_fragment_) {
      Find(fmt::format("progress notification at {} inside a fragmented revision {}",
                       rec.header_revision, last_));
    }
    CloseRevision();
    CheckGap(rec.header_revision + 1,
             fmt::format("a progress notification at {}", rec.header_revision));
    bookmark_ = std::max(bookmark_, rec.header_revision);
    next_ = std::max(next_, rec.header_revision + 1);
  }

  void OnCreated(const WatchRecord& rec) {
    const int64_t start = rec.requested_start > 0 ? rec.requested_start : rec.header_revision + 1;
    if (next_ < 0) {
      next_ = start;
      return;
    }
    if (start > next_) {
      Find(fmt::format("reconnected to member {} at revision {} but is owed {}", rec.node, start,
                       next_));
      next_ = start;
    }
  }

  // `before` names what came after the gap.
  void CheckGap(int64_t rev, const std::string& before) {
    // Reliable: nothing matching between what is owed and `rev` was skipped.
    const int64_t from = std::max(next_, last_ + 1);
    for (auto it = history_.revisions.lower_bound(from);
         it != history_.revisions.end() && it->first < rev; ++it) {
      std::vector<const KvChange*> missed = Matching(it->first);
      if (missed.empty()) continue;
      Find(fmt::format("missed revision {} ({} {}) before {}", it->first,
                       missed[0]->is_delete ? "DELETE" : "PUT", missed[0]->key, before));
      return;
    }
  }

  void CheckEvent(int64_t rev, const WatchEventView& e) {
    if (Filtered(e.is_delete)) {
      Find(fmt::format("revision {} {} delivered as {} despite the {} filter", rev, e.kv.key,
                       e.is_delete ? "DELETE" : "PUT", e.is_delete ? "NODELETE" : "NOPUT"));
      return;
    }
    const KvChange* committed = nullptr;
    for (const KvChange* c : Matching(rev)) {
      if (c->key == e.kv.key) committed = c;
    }
    if (committed == nullptr) {
      Find(fmt::format("revision {} {} is not a committed change in range", rev, e.kv.key));
      return;
    }
    const bool same = committed->is_delete == e.is_delete &&
                      (e.is_delete || (committed->value == e.kv.value &&
                                       committed->create_revision == e.kv.create_revision &&
                                       committed->version == e.kv.version));
    if (!same) {
      Find(fmt::format("revision {} {} delivered as {} \"{}\" but committed as {} \"{}\"", rev,
                       e.kv.key, e.is_delete ? "DELETE" : "PUT", e.kv.value,
                       committed->is_delete ? "DELETE" : "PUT", committed->value));
    }
    if (stream_.prev_kv) CheckPrevKv(rev, e);
  }

  void CheckPrevKv(int64_t rev, const WatchEventView& e) {
    std::optional<KeyValueView> want;
    auto key = keys_.find(e.kv.key);
    if (key != keys_.end()) {
      auto it = key->second.upper_bound(rev - 1);
      if (it != key->second.begin()) {
        --it;
        const KvChange& c = *it->second;
        if (!c.is_delete) want = KeyValueView{e.kv.key, c.value, it->first, c.create_revision,
                                              c.version, c.lease};
      }
    }
    if (e.prev_kv == want) return;
    // S7.4: absent when revision - 1 may have been compacted away.
    if (!e.prev_kv && want && compacted_max_ >= rev) return;
    Find(fmt::format("revision {} {}: prev_kv {} but the value at {} was {}", rev, e.kv.key,
                     e.prev_kv ? "\"" + e.prev_kv->value + "\"" : std::string("absent"), rev - 1,
                     want ? "\"" + want->value + "\"" : std::string("absent")));
  }

  void OnEvents(const WatchRecord& rec) {
    int64_t response_rev = 0;
    for (const WatchEventView& e : rec.events) {
      const int64_t rev = e.kv.mod_revision;
      if (!seen_.insert({rev, e.kv.key}).second) {
        Find(fmt::format("revision {} {} delivered again (from member {})", rev, e.kv.key,
                         rec.node));
        continue;
      }
      if (rev <= bookmark_) {
        Find(fmt::format("revision {} {} delivered after a progress notification at {} (from "
                         "member {})", rev, e.kv.key, bookmark_, rec.node));
        continue;
      }
      if (rev < last_) {
        Find(fmt::format("revision {} delivered after revision {} (from member {})", rev, last_,
                         rec.node));
        continue;
      }
      if (rev == last_ && response_rev != rev && !open_fragment_) {
        Find(fmt::format("revision {} split across responses (from member {})", rev, rec.node));
      }
      if (rev > last_) {
        CloseRevision();
        CheckGap(rev, fmt::format("delivering revision {}", rev));
        last_ = rev;
        delivered_at_last_ = 0;
      }
      response_rev = rev;
      ++delivered_at_last_;
      CheckEvent(rev, e);
    }
    open_fragment_ = rec.fragment;
    if (!rec.fragment) CloseRevision();
    if (last_ > 0) next_ = std::max(next_, last_ + 1);
  }

  // Atomic: a finished revision carried every matching change.
  void CloseRevision() {
    if (last_ <= 0 || closed_ == last_) return;
    closed_ = last_;
    const size_t want = Matching(last_).size();
    if (delivered_at_last_ < want) {
      Find(fmt::format("revision {} delivered {} of its {} events", last_, delivered_at_last_,
                       want));
    }
  }

  const CommittedHistory& history_;
  const KeyHistory& keys_;
  const int64_t compacted_max_;
  const WatchStream& stream_;
  const std::string name_;
  int64_t next_ = -1;  // the lowest revision the client is still owed
  int64_t last_ = 0;   // the highest revision delivered
  int64_t closed_ = 0;
  int64_t bookmark_ = 0;  // the highest progress notification's revision
  size_t delivered_at_last_ = 0;
  bool open_fragment_ = false;
  // (revision, key) identifies an event because the simulated workload
  // changes a key at most once per revision (it sends no nested txns, the
  // only way etcd lets a put and a delete of one key share a revision).
  std::set<std::pair<int64_t, std::string>> seen_;
  std::vector<std::string> findings_;
};

}  // namespace

std::vector<std::string> CheckWatchStreams(const CommittedHistory& history,
                                           const std::vector<WatchStream>& streams,
                                           const std::vector<AuxOp>& compactions) {
  int64_t compacted_max = 0;
  for (const AuxOp& op : compactions) {
    if (op.status != "fail" && op.revision) compacted_max = std::max(compacted_max, *op.revision);
  }
  const KeyHistory keys = IndexByKey(history);
  std::vector<std::string> out;
  for (const WatchStream& s : streams) {
    for (std::string& f : StreamChecker(history, keys, compacted_max, s).Run()) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace raftlab::checker
