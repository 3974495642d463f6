// KvStore over a backend: etcd's layout of the key bucket, and the restore
// that rebuilds the index by scanning it.
#include <fmt/format.h>

#include "core/mvcc/kv_store.h"

namespace raftlab::mvcc {
namespace {

using backend::Bucket;

constexpr std::string_view kScheduledCompact = "scheduledCompactRev";
constexpr std::string_view kFinishedCompact = "finishedCompactRev";

tl::unexpected<Error> Damaged(const std::string& what) {
  return MakeError(ErrorCode::kCorruption, "backend key bucket: " + what);
}

}  // namespace

void KvStore::set_backend(backend::Backend* b) {
  backend_ = b;
  for (const auto& [rev, record] : records_) Persist(rev, record);
  if (compact_revision_ >= 0) PersistCompact(compact_revision_);
}

void KvStore::Persist(Revision rev, const Record& record) {
  if (backend_ == nullptr) return;
  backend_->Put(Bucket::kKey, RevisionKey(rev, record.tombstone), record.kv.SerializeAsString());
}

void KvStore::Unpersist(Revision rev, const Record& record) {
  if (backend_ == nullptr) return;
  backend_->Delete(Bucket::kKey, RevisionKey(rev, record.tombstone));
}

void KvStore::PersistCompact(int64_t c) {
  if (backend_ == nullptr) return;
  // etcd writes the scheduled revision when the request applies and the
  // finished one when the compaction ends; here both happen in one apply.
  const std::string rev = RevisionKey({c, 0}, false);
  backend_->Put(Bucket::kMeta, kScheduledCompact, rev);
  backend_->Put(Bucket::kMeta, kFinishedCompact, rev);
}

Result<KvStore> KvStore::Load(backend::Backend* b, BugSet bugs) {
  std::map<Revision, Record> records;
  std::string damage;
  b->Range(Bucket::kKey, "", "", [&](std::string_view key, std::string_view value) {
    std::optional<ParsedRevisionKey> parsed = ParseRevisionKey(key);
    Record record;
    if (!parsed) {
      damage = fmt::format("a key of {} bytes that is not a revision", key.size());
    } else if (!record.kv.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      damage = "the value of revision " + parsed->rev.ToString() + " is not a KeyValue";
    }
    if (!damage.empty()) return false;
    record.tombstone = parsed->tombstone;
    records.emplace(parsed->rev, std::move(record));
    return true;
  });
  if (!damage.empty()) return Damaged(damage);
  int64_t compact = -1;
  if (std::optional<std::string> c = b->Get(Bucket::kMeta, kFinishedCompact)) {
    std::optional<ParsedRevisionKey> parsed = ParseRevisionKey(*c);
    if (!parsed) return Damaged("the finished compact revision does not parse");
    compact = parsed->rev.main;
  }
  int64_t current = records.empty() ? 1 : std::max<int64_t>(1, records.rbegin()->first.main);
  // etcd's restore: a compaction may have removed the newest revisions'
  // tombstones, so R is never below C.
  current = std::max(current, compact);
  KvStore store;
  store.set_bugs(bugs);
  std::string why;
  if (!store.Restore(current, compact, std::move(records), &why)) return Damaged(why);
  store.backend_ = b;  // it holds all of this already
  return store;
}

}  // namespace raftlab::mvcc
