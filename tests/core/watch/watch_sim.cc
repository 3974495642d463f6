#include "tests/core/watch/watch_sim.h"

#include <algorithm>

#include <google/protobuf/util/message_differencer.h>

#include "tests/core/mvcc/model.h"
#include "tests/core/mvcc/op_gen.h"

namespace raftlab::watch::testing {

using mvcc::testing::Tape;

namespace {
const char* const kKeys[] = {"a", "b", "c", "d", "ab", "ba"};
}  // namespace

WatchSim::WatchSim(const std::vector<std::vector<uint8_t>>& tapes)
    : store_(&kv_, WatchOptions{.fragment_bytes = 64, .sync_revisions_max = 3, .batch_revisions_max = 2}) {
  history_.resize(2);
  states_.resize(2);
  for (const auto& bytes : tapes) {
    Tape t(bytes);
    const int kind = t.Next(12);
    if (kind < 5) Write(bytes);
    if (kind == 5 || kind == 6) CreateWatch(bytes, -1, -1);
    if (kind == 7) CancelWatch(bytes);
    if (kind == 8) store_.SyncWatchers();
    if (kind == 9) store_.RequestProgress();
    if (kind == 10) {
      // As if a snapshot of the same contents were installed.
      if (t.Next(3) == 0) store_.MarkAllUnsynced();
      store_.TickProgress();
    }
    if (kind == 11) DrainAll();
  }
  for (int i = 0; i < 1000 && store_.unsynced_count() > 0; ++i) store_.SyncWatchers();
  store_.RequestProgress();
  DrainAll();
}

void WatchSim::Write(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> rest(bytes.begin() + (bytes.empty() ? 0 : 1), bytes.end());
  Tape t(rest);
  const mvcc::testing::Op op =
      mvcc::testing::BuildOp(&t, kv_.current_revision(), kv_.compact_revision());
  const int64_t before = kv_.current_revision();
  if (op.kind == mvcc::testing::Op::kPut) (void)kv_.Put(op.put);
  if (op.kind == mvcc::testing::Op::kDelete) (void)kv_.DeleteRange(op.del);
  if (op.kind == mvcc::testing::Op::kTxn) (void)kv_.Txn(op.txn);
  if (op.kind == mvcc::testing::Op::kCompact) {
    const int64_t compacted = kv_.compact_revision();
    (void)store_.Compact(op.compact);
    if (kv_.compact_revision() != compacted) compacted_at_.insert(kv_.compact_revision());
  }
  std::vector<mvccpb::Event> changes = kv_.TakeChanges();
  if (kv_.current_revision() == before) return;
  history_.push_back(changes);
  auto state = states_.back();
  for (const mvccpb::Event& e : changes) {
    if (e.type() == mvccpb::Event::PUT) state[e.kv().key()] = e.kv();
    if (e.type() == mvccpb::Event::DELETE) state.erase(e.kv().key());
  }
  states_.push_back(std::move(state));
  store_.Notify(std::move(changes));
}

void WatchSim::CreateWatch(const std::vector<uint8_t>& bytes, int resumed_from, int64_t start) {
  std::vector<uint8_t> rest(bytes.begin() + (bytes.empty() ? 0 : 1), bytes.end());
  Tape t(rest);
  WatchRecord w;
  if (resumed_from >= 0) {
    w.req = watches_[static_cast<size_t>(resumed_from)].req;
    w.req.set_start_revision(start);
  } else {
    w.req.set_key(kKeys[t.Next(6)]);
    const int end = t.Next(5);
    if (end == 0) w.req.set_range_end(std::string(1, '\0'));
    if (end == 1) w.req.set_range_end(kKeys[t.Next(6)]);
    if (end == 2) w.req.set_range_end("e");
    if (t.Next(4) != 0)
      w.req.set_start_revision(t.Next(static_cast<int>(kv_.current_revision() + 4)));
    if (t.Next(6) == 0) w.req.add_filters(etcdserverpb::WatchCreateRequest::NOPUT);
    if (t.Next(6) == 0) w.req.add_filters(etcdserverpb::WatchCreateRequest::NODELETE);
    w.req.set_prev_kv(t.Next(2) == 0);
    w.req.set_fragment(t.Next(3) == 0);
    w.req.set_progress_notify(t.Next(2) == 0);
  }
  w.resumed_from = resumed_from;
  w.created_at_revision = kv_.current_revision();
  w.created_at_compact = kv_.compact_revision();
  w.start = w.req.start_revision() > 0 ? w.req.start_revision() : kv_.current_revision() + 1;
  CreateResult created = store_.Create(w.req);
  if (created.status != WatchStatus::kOk) return;
  w.watch_id = created.watch_id;
  by_id_[w.watch_id] = watches_.size();
  watches_.push_back(std::move(w));
}

void WatchSim::CancelWatch(const std::vector<uint8_t>& bytes) {
  if (watches_.empty()) return;
  Tape t(bytes);
  t.Next(12);
  const size_t index = static_cast<size_t>(t.Next(static_cast<int>(watches_.size())));
  const int64_t id = watches_[index].watch_id;
  if (!store_.Exists(id)) return;
  // Drain first so the resume point is what this client actually saw.
  for (auto& resp : store_.Drain(id)) watches_[index].stream.push_back(std::move(resp));
  int64_t last = watches_[index].start - 1;
  for (const auto& resp : watches_[index].stream) {
    for (const auto& e : resp.events()) last = std::max(last, e.kv().mod_revision());
    const bool bookmark = resp.events_size() == 0 && !resp.created() && !resp.canceled();
    if (bookmark) last = std::max(last, resp.header().revision());
  }
  if (store_.Cancel(id) != WatchStatus::kOk) return;
  watches_[index].user_canceled = true;
  if (t.Next(2) == 0) CreateWatch(bytes, static_cast<int>(index), last + 1);
}

void WatchSim::DrainAll() {
  for (auto& [id, responses] : store_.DrainAll()) {
    auto& stream = watches_.at(by_id_.at(id)).stream;
    for (auto& resp : responses) stream.push_back(std::move(resp));
  }
}

namespace {

// The changes of one revision as compaction at that revision leaves them:
// the latest change of each key, in their original order.
std::vector<mvccpb::Event> LatestPerKey(const std::vector<mvccpb::Event>& changes) {
  std::vector<mvccpb::Event> out;
  for (size_t i = 0; i < changes.size(); ++i) {
    bool later = false;
    for (size_t j = i + 1; j < changes.size(); ++j) {
      later = later || changes[j].kv().key() == changes[i].kv().key();
    }
    if (!later) out.push_back(changes[i]);
  }
  return out;
}

}  // namespace

std::vector<mvccpb::Event> WatchSim::ExpectedAt(const WatchRecord& w, int64_t revision,
                                                const std::vector<mvccpb::Event>& got) const {
  bool no_put = false, no_delete = false;
  for (int f : w.req.filters()) {
    if (f == etcdserverpb::WatchCreateRequest::NOPUT) no_put = true;
    if (f == etcdserverpb::WatchCreateRequest::NODELETE) no_delete = true;
  }
  const std::string& end = w.req.range_end();
  auto matching = [&](const std::vector<mvccpb::Event>& changes) {
    std::vector<mvccpb::Event> out;
    for (const mvccpb::Event& e : changes) {
      if (!mvcc::testing::Model::InRange(e.kv().key(), w.req.key(), end)) continue;
      if (e.type() == mvccpb::Event::PUT && no_put) continue;
      if (e.type() == mvccpb::Event::DELETE && no_delete) continue;
      out.push_back(e);
    }
    return out;
  };
  const std::vector<mvccpb::Event>& changes = history_.at(static_cast<size_t>(revision));
  std::vector<mvccpb::Event> full = matching(changes);
  if (!compacted_at_.contains(revision)) return full;
  std::vector<mvccpb::Event> retained = matching(LatestPerKey(changes));
  if (retained.size() == full.size()) return full;
  std::vector<mvccpb::Event> received;
  for (const mvccpb::Event& e : got) {
    if (e.kv().mod_revision() == revision) received.push_back(e);
  }
  const bool as_retained =
      received.size() == retained.size() &&
      std::equal(received.begin(), received.end(), retained.begin(), SameEvent);
  return as_retained ? retained : full;
}

std::vector<mvccpb::Event> WatchSim::Expected(const WatchRecord& w, int64_t from,
                                              const std::vector<mvccpb::Event>& got) const {
  std::vector<mvccpb::Event> out;
  for (int64_t rev = std::max<int64_t>(from, 2); rev < static_cast<int64_t>(history_.size());
       ++rev) {
    for (auto& e : ExpectedAt(w, rev, got)) out.push_back(std::move(e));
  }
  return out;
}

const mvccpb::KeyValue* WatchSim::StateAt(const std::string& key, int64_t revision) const {
  if (revision < 1 || revision >= static_cast<int64_t>(states_.size())) return nullptr;
  const auto& state = states_[static_cast<size_t>(revision)];
  auto it = state.find(key);
  return it == state.end() ? nullptr : &it->second;
}

std::vector<mvccpb::Event> ReceivedEvents(const WatchRecord& w) {
  std::vector<mvccpb::Event> out;
  for (const auto& resp : w.stream) {
    for (const auto& e : resp.events()) out.push_back(e);
  }
  return out;
}

bool SameEvent(const mvccpb::Event& a, const mvccpb::Event& b) {
  return a.type() == b.type() && google::protobuf::util::MessageDifferencer::Equals(a.kv(), b.kv());
}

}  // namespace raftlab::watch::testing
