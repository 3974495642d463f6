#include "core/mvcc/snapshot.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/base/check.h"
#include "core/mvcc/envelope.h"
#include "store_state.pb.h"

namespace raftlab::mvcc {
namespace {

constexpr std::string_view kMagic = "RLMV";

// Checks one record against the key's previous record (or none) and C.
bool ValidRecord(const Revision& rev, const Record& record, const Record* prev,
                 int64_t compact, std::string* why) {
  const mvccpb::KeyValue& kv = record.kv;
  if (rev.main < 2 || rev.sub < 0) *why = "bad revision " + rev.ToString();
  else if (kv.key().empty()) *why = "empty key at " + rev.ToString();
  else if (kv.mod_revision() != rev.main) *why = "mod_revision != main at " + rev.ToString();
  else if (prev == nullptr && rev.main <= compact) {
    // The single kept change at or below C: anything consistent with S6.2.
    if (record.tombstone && rev.main != compact) *why = "tombstone below C at " + rev.ToString();
  } else if (prev != nullptr && prev->kv.mod_revision() == rev.main &&
             (prev->tombstone || !record.tombstone)) {
    // Only put-then-delete can touch a key twice in one revision (see txn.h).
    *why = "two changes of one key in one revision at " + rev.ToString();
  } else if (prev != nullptr && rev.main <= compact) {
    *why = "two retained changes at or below C for one key at " + rev.ToString();
  }
  if (!why->empty()) return false;
  const bool alive = prev != nullptr && !prev->tombstone;
  if (record.tombstone) {
    if (!alive && !(prev == nullptr && rev.main == compact)) {
      *why = "tombstone of an absent key at " + rev.ToString();
    }
    return why->empty();
  }
  if (alive && (kv.create_revision() != prev->kv.create_revision() ||
                kv.version() != prev->kv.version() + 1)) {
    *why = "put does not continue its generation at " + rev.ToString();
  } else if (!alive && prev != nullptr && (kv.create_revision() != rev.main || kv.version() != 1)) {
    *why = "put after a tombstone does not open a generation at " + rev.ToString();
  } else if (prev == nullptr && kv.create_revision() != rev.main &&
             !(kv.create_revision() <= compact && kv.create_revision() > 0)) {
    *why = "first retained put's create_revision is not retained at " + rev.ToString();
  } else if (kv.version() < 1 || kv.create_revision() > rev.main) {
    *why = "bad version or create_revision at " + rev.ToString();
  }
  return why->empty();
}

}  // namespace

bool KvStore::Restore(int64_t current, int64_t compact, std::map<Revision, Record> records,
                      std::string* why) {
  CHECK(why != nullptr);
  CHECK(records_.empty());
  if (current < 1 || compact > current || compact < -1) {
    *why = "bad revisions R=" + std::to_string(current) + " C=" + std::to_string(compact);
    return false;
  }
  std::map<std::string, const Record*> last;  // per key, its latest record so far
  for (const auto& [rev, record] : records) {
    if (rev.main > current) {
      *why = "record " + rev.ToString() + " above R";
      return false;
    }
    auto it = last.find(record.kv.key());
    const Record* prev = it == last.end() ? nullptr : it->second;
    if (!ValidRecord(rev, record, prev, compact, why)) return false;
    if (record.tombstone) {
      index_.RestoreTombstone(record.kv.key(), rev);
    } else {
      index_.Put(record.kv.key(), rev);
    }
    last[record.kv.key()] = &record;
  }
  current_revision_ = current;
  compact_revision_ = compact;
  records_ = std::move(records);  // node-based: the pointers in `last` stay valid
  return true;
}

std::string EncodeSnapshot(const KvStore& store) {
  statepb::MvccState state;
  state.set_current_revision(store.current_revision());
  state.set_compact_revision(store.compact_revision());
  for (const auto& [rev, record] : store.records()) {
    statepb::MvccRecord* out = state.add_records();
    out->set_main(rev.main);
    out->set_sub(rev.sub);
    out->set_tombstone(record.tombstone);
    *out->mutable_kv() = record.kv;
  }
  std::string payload;
  CHECK(state.SerializeToString(&payload));
  CHECK_EQ(state.records_size(), static_cast<int>(store.records().size()));
  return SealEnvelope(kMagic, payload);
}

Result<KvStore> DecodeSnapshot(std::string_view bytes, BugSet bugs) {
  Result<std::string_view> payload = OpenEnvelope(kMagic, bytes);
  if (!payload) return tl::unexpected(payload.error());
  statepb::MvccState state;
  if (!state.ParseFromArray(payload->data(), static_cast<int>(payload->size()))) {
    return MakeError(ErrorCode::kCorruption, "mvcc snapshot: payload does not parse");
  }
  std::map<Revision, Record> records;
  for (const statepb::MvccRecord& in : state.records()) {
    Record record{in.tombstone(), in.kv()};
    if (!records.emplace(Revision{in.main(), in.sub()}, std::move(record)).second) {
      return MakeError(ErrorCode::kCorruption, "mvcc snapshot: duplicate revision");
    }
  }
  int64_t current = state.current_revision();
  int64_t compact = state.compact_revision();
  if (bugs.Has(Bug::kRevisionFromKeys)) {
    // Bug zoo B26 (revision-from-keys), etcd #17780: etcd 3.5's compaction
    // deleted a tombstone at or below the compact revision from the backend
    // (the in-memory index kept what watchers needed), and a restart derived
    // R from the newest key left there, not from a persisted counter. When
    // the newest change was a delete that got compacted, R goes backwards
    // and later writes reuse revisions already acknowledged. The snapshot is
    // our backend: drop those tombstones, then take R from what remains. C
    // is clamped only to keep the store's own invariant C <= R.
    std::erase_if(records, [compact](const auto& r) {
      return r.second.tombstone && r.first.main <= compact;
    });
    current = records.empty() ? 1 : std::max<int64_t>(1, records.rbegin()->first.main);
    compact = std::min(compact, current);
  }
  KvStore store;
  store.set_bugs(bugs);
  std::string why;
  if (!store.Restore(current, compact, std::move(records), &why)) {
    return MakeError(ErrorCode::kCorruption, "mvcc snapshot: " + why);
  }
  return store;
}

}  // namespace raftlab::mvcc
