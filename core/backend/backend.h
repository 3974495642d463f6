// Backend: the ordered, durable key-value store below MVCC, the lessor and
// the server's meta data; etcd's backend (BoltDB) as an interface. It lives
// in its own folder, not inside core/mvcc, because MVCC is only one of its
// users: as in etcd, the consistent index (meta), leases and members have
// buckets of their own, and they must commit together with the data.
//
// Contract:
// - Buckets of keys in byte order; a key holds one value.
// - Writes go into a batch (etcd's batchTxBuffered), not to the store:
//   Commit() makes the whole batch durable at once, or none of it (a crash
//   before Commit returns may keep it whole or lose it whole, never part).
//   MaybeCommit(now_ms) commits when the batch holds `limit` writes or has
//   been open `interval_ms` (etcd: 10,000 writes or 100 ms), on the host's
//   clock, so the core stays pure.
// - Reads see every write, committed or still in the batch (etcd's read
//   buffer): Get and Range overlay the batch on the committed store.
// - Size() and SizeInUse() are etcd's dbSize and dbSizeInUse: the store's
//   bytes on disk, and the part holding live data. Deleting frees space
//   that only Defragment() gives back.
// - One writer and reader at a time (the member's apply thread); a
//   Backend is not thread-safe.
//
// Implementations: FileBackend (file_backend.h), a pure model over
// core/storage's FileSystem for the simulator, with its faults; and the
// live runner's LmdbBackend (runner/backend/lmdb_backend.h). The batch and
// the read buffer are here, shared by both; each implements the committed
// store below them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace raftlab::backend {

// etcd's buckets that raftlab uses.
enum class Bucket : uint8_t { kKey = 0, kMeta = 1, kLease = 2, kMembers = 3 };
inline constexpr int kBucketCount = 4;
const char* BucketName(Bucket b);

struct BatchOptions {
  int64_t interval_ms = 100;  // etcd's --backend-batch-interval
  size_t limit = 10000;       // etcd's --backend-batch-limit
};

// One write of a batch: a put, or a delete when `value` is empty.
struct Write {
  Bucket bucket = Bucket::kKey;
  std::string key;
  std::optional<std::string> value;
  bool operator==(const Write&) const = default;
};

// Range's visitor: return false to stop.
using Visitor = std::function<bool(std::string_view key, std::string_view value)>;

class Backend {
 public:
  explicit Backend(BatchOptions options) : options_(options) {}
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // --- the batch ---------------------------------------------------------
  void Put(Bucket b, std::string_view key, std::string_view value);
  void Delete(Bucket b, std::string_view key);
  // Deletes every key of the bucket (into the batch, like any write).
  void DeleteAll(Bucket b);
  // Whether the batch is full or has been open long enough to commit.
  bool CommitDue(int64_t now_ms);
  // Commits if CommitDue.
  Status MaybeCommit(int64_t now_ms);
  // Commits the batch now (nothing to do if it is empty). An error means
  // the store may or may not hold the batch: the member must stop, as etcd
  // panics, and recover from what is on disk.
  Status Commit(int64_t now_ms);
  // Writes since the last commit (etcd's pending count).
  size_t pending_writes() const { return pending_; }
  uint64_t commits() const { return commits_; }

  // --- reads: the committed store overlaid by the batch -------------------
  std::optional<std::string> Get(Bucket b, std::string_view key) const;
  // Keys in [start, end) in byte order (an empty `end`: to the bucket's end).
  void Range(Bucket b, std::string_view start, std::string_view end, const Visitor& fn) const;

  // --- size and defragmentation -----------------------------------------
  virtual int64_t Size() const = 0;
  virtual int64_t SizeInUse() const = 0;
  // Commits the batch, then rewrites the store without its free space.
  Status Defragment(int64_t now_ms);

 protected:
  // The committed store. CommitWrites is atomic and durable when it
  // returns OK; the writes are in (bucket, key) order, one per key.
  virtual Status CommitWrites(const std::vector<Write>& writes) = 0;
  virtual std::optional<std::string> GetCommitted(Bucket b, std::string_view key) const = 0;
  virtual void RangeCommitted(Bucket b, std::string_view start, std::string_view end,
                              const Visitor& fn) const = 0;
  virtual Status Compact() = 0;

 private:
  using Buffer = std::map<std::string, std::optional<std::string>, std::less<>>;
  BatchOptions options_;
  Buffer buffer_[kBucketCount];  // the latest write of each key in the batch
  size_t pending_ = 0;
  int64_t window_start_ms_ = INT64_MIN;  // when the batch was last empty or committed
  uint64_t commits_ = 0;
};

}  // namespace raftlab::backend
