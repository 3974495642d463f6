// FileBackend: the simulator's backend, a pure model over core/storage's
// FileSystem, so every disk fault the simulator injects (lost fsync, torn
// write, bit flip, EIO, ENOSPC) applies to it, and a crash can fall between
// any two commits or between a commit's write and its fsync.
//
// The committed store is kept in memory and logged to one file,
// "backend.db": one record per committed batch (core/storage/record.h
// framing, kBackendBatch, chained CRCs). A commit appends its record and
// fsyncs; it is atomic because recovery replays whole records only and
// cuts a torn last record off. Defragment writes the live data as one
// record to "backend.db.defrag", fsyncs it and renames it over the file,
// so the file shrinks, as a bbolt file does when etcd defragments.
//
// SizeInUse() is what the live data needs (the length a defragmented file
// would have); Size() the most it ever needed since the last defragment:
// like a B+tree file, the store grows when its live data outgrows it and
// reuses what deletes freed, so Size is not this model's log length (which
// grows with every commit until a defragment). A record's payload is a sequence
// of writes: u8 bucket | u8 put (1) or delete (0) | u32 key length | key
// [| u32 value length | value].
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/backend/backend.h"
#include "core/storage/file_system.h"

namespace raftlab::backend {

inline constexpr const char* kBackendFile = "backend.db";

class FileBackend : public Backend {
 public:
  // Recovers the committed store from `fs` (an absent file: empty). A torn
  // last record is cut off and noted; other damage is an error naming the
  // file and offset. `fs` must outlive the backend.
  static Result<std::unique_ptr<FileBackend>> Open(storage::FileSystem* fs, BatchOptions options);

  int64_t Size() const override { return std::max(high_water_bytes_, SizeInUse()); }
  int64_t SizeInUse() const override;
  // What recovery repaired (a torn tail cut off), for the host's log.
  const std::vector<std::string>& notes() const { return notes_; }

 protected:
  Status CommitWrites(const std::vector<Write>& writes) override;
  std::optional<std::string> GetCommitted(Bucket b, std::string_view key) const override;
  void RangeCommitted(Bucket b, std::string_view start, std::string_view end,
                      const Visitor& fn) const override;
  Status Compact() override;

 private:
  FileBackend(storage::FileSystem* fs, BatchOptions options) : Backend(options), fs_(fs) {}
  void ApplyWrite(const Write& w);
  Status AppendRecord(const std::string& file, const std::string& payload, uint32_t* crc);

  using Store = std::map<std::string, std::string, std::less<>>;
  storage::FileSystem* fs_;
  Store store_[kBucketCount];
  int64_t file_bytes_ = 0;        // the log's length
  int64_t high_water_bytes_ = 0;  // SizeInUse's maximum since the last defragment
  int64_t live_payload_bytes_ = 0;  // the encoded size of every live key and value
  uint32_t crc_ = 0;                // the chain value after the last record
  std::vector<std::string> notes_;
};

// The payload encoding of one batch, and its decoding (nullopt: malformed).
std::string EncodeWrites(const std::vector<Write>& writes);
std::optional<std::vector<Write>> DecodeWrites(std::string_view payload);

}  // namespace raftlab::backend
