#include "core/storage/wal.h"

#include <algorithm>
#include <cstdio>

#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/storage/record.h"
#include "raft.pb.h"

namespace raftlab::storage {
namespace {

constexpr char kPrefix[] = "wal-";
constexpr char kSuffix[] = ".log";

bool IsSegment(const std::string& name) {
  return name.size() == 4 + 16 + 4 && name.rfind(kPrefix, 0) == 0 &&
         name.compare(name.size() - 4, 4, kSuffix) == 0;
}

tl::unexpected<Error> Corrupt(const std::string& segment, size_t offset, const std::string& why) {
  return MakeError(ErrorCode::kCorruption,
                   "WAL segment " + segment + " at offset " + std::to_string(offset) + ": " + why);
}

}  // namespace

// Replay state shared by the segment reader.
struct Wal::Replay {
  uint64_t snapshot_index = 0;
  WalContents* contents = nullptr;
  uint64_t last_index = 0;  // of the entries seen, including those below the snapshot
  uint64_t reset_index = 0;  // the newest installed snapshot seen
  std::vector<uint64_t> segment_last_index;
};

namespace {

Status ApplyEntry(const std::string& name, size_t offset, const std::string& payload,
                  Wal::Replay* r) {
  raftpb::Entry p;
  if (!p.ParseFromString(payload)) return Corrupt(name, offset, "entry record does not parse");
  Result<raft::Entry> e = raft::FromProto(p);
  if (!e) return Corrupt(name, offset, e.error().message);
  // A later record at or below the last index overwrites a suffix (a new
  // leader's entries replaced ours); a record beyond last+1 is a gap.
  if (r->last_index != 0 && e->index > r->last_index + 1) {
    return Corrupt(name, offset, "entry " + std::to_string(e->index) + " follows entry " +
                                     std::to_string(r->last_index) + ": missing entries");
  }
  r->last_index = e->index;
  r->segment_last_index.back() = std::max(r->segment_last_index.back(), e->index);
  if (e->index <= r->snapshot_index) return OkStatus();
  std::vector<raft::Entry>& ents = r->contents->entries;
  while (!ents.empty() && ents.back().index >= e->index) ents.pop_back();
  const uint64_t base = std::max(r->snapshot_index, r->reset_index);
  if (ents.empty() && e->index != base + 1) {
    return Corrupt(name, offset, "first entry after snapshot " + std::to_string(base) +
                                     " is " + std::to_string(e->index));
  }
  ents.push_back(std::move(*e));
  return OkStatus();
}

}  // namespace

std::string Wal::SegmentName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%016llx%s", kPrefix, static_cast<unsigned long long>(seq),
                kSuffix);
  return buf;
}

Status Wal::ReadSegment(const std::string& name, bool first_segment, bool last_segment,
                        Replay* replay) {
  Result<std::string> bytes = fs_->Read(name);
  if (!bytes) return tl::unexpected(bytes.error());
  const std::string_view raw(*bytes);
  // The oldest surviving segment may continue a chain whose beginning was
  // released: its header carries the chain value to start from. (A flipped
  // bit there still fails the data checksum, which covers the header.)
  if (first_segment && raw.size() >= kRecordHeaderBytes + 12) {
    crc_ = GetU32(raw, kRecordHeaderBytes + 8);
  }
  replay->segment_last_index.push_back(0);
  size_t offset = 0;
  while (offset < raw.size()) {
    DecodeResult d = DecodeRecord(raw, offset, crc_);
    if (d.status == DecodeStatus::kIncomplete) {
      if (!last_segment) return Corrupt(name, offset, "incomplete record before the last segment");
      // A torn write at the tail: it was never acknowledged as durable.
      replay->contents->repaired_bytes = raw.size() - offset;
      RAFTLAB_RETURN_IF_ERROR(fs_->Truncate(name, offset));
      RAFTLAB_RETURN_IF_ERROR(fs_->Sync(name));
      break;
    }
    if (d.status == DecodeStatus::kCorrupt) return Corrupt(name, offset, d.why);
    RAFTLAB_RETURN_IF_ERROR(ApplyRecord(name, offset, d.record, first_segment, replay));
    crc_ = d.crc;
    offset = d.next_offset;
  }
  current_bytes_ = offset;
  if (offset == 0) {
    // Created but its header never became durable: nothing in it counts.
    CHECK(last_segment);
    return fs_->Remove(name);
  }
  segment_names_.push_back(name);
  segment_last_index_.push_back(replay->segment_last_index.back());
  return OkStatus();
}

Status Wal::ApplyRecord(const std::string& name, size_t offset, const Record& record,
                        bool first_segment, Replay* replay) {
  const bool at_start = offset == 0;
  if (at_start != (record.type == RecordType::kSegmentHeader)) {
    return Corrupt(name, offset, at_start ? "segment does not start with a header"
                                          : "segment header in the middle of a segment");
  }
  switch (record.type) {
    case RecordType::kSegmentHeader: {
      if (record.payload.size() != 12) return Corrupt(name, offset, "bad segment header");
      const uint64_t seq = GetU64(record.payload, 0);
      if (SegmentName(seq) != name) return Corrupt(name, offset, "header names another segment");
      if (!first_segment && GetU32(record.payload, 8) != crc_) {
        return Corrupt(name, offset, "segment does not continue the previous one's chain");
      }
      seq_ = seq;
      return OkStatus();
    }
    case RecordType::kEntry:
      return ApplyEntry(name, offset, record.payload, replay);
    case RecordType::kSnapshotInstalled: {
      if (record.payload.size() != 16) return Corrupt(name, offset, "bad snapshot record");
      // Replays the log reset: nothing written before it above its index
      // is part of the log any more.
      const uint64_t index = GetU64(record.payload, 0);
      std::vector<raft::Entry>& ents = replay->contents->entries;
      ents.clear();
      replay->last_index = index;
      replay->reset_index = std::max(replay->reset_index, index);
      return OkStatus();
    }
    case RecordType::kHardState: {
      raftpb::HardState p;
      if (!p.ParseFromString(record.payload)) {
        return Corrupt(name, offset, "hard state record does not parse");
      }
      replay->contents->hard_state = raft::FromProto(p);
      replay->contents->hard_state_at = "WAL segment " + name + " at offset " + std::to_string(offset);
      return OkStatus();
    }
    case RecordType::kBackendBatch:
      return Corrupt(name, offset, "a backend record in a WAL segment");
  }
  return Corrupt(name, offset, "unknown record type");
}

Result<Wal> Wal::Open(FileSystem* fs, const WalOptions& options, uint64_t snapshot_index,
                      WalContents* contents) {
  CHECK(fs != nullptr);
  CHECK(contents != nullptr);
  *contents = WalContents();
  Wal wal(fs, options);
  std::vector<std::string> names;
  for (const std::string& n : fs->List()) {
    if (IsSegment(n)) names.push_back(n);
  }
  Replay replay{snapshot_index, contents, 0, 0, {}};
  for (size_t k = 0; k < names.size(); ++k) {
    RAFTLAB_RETURN_IF_ERROR(wal.ReadSegment(names[k], k == 0, k + 1 == names.size(), &replay));
  }
  wal.hard_state_ = contents->hard_state;
  wal.last_index_ = replay.last_index;
  if (wal.segment_names_.empty()) {
    RAFTLAB_RETURN_IF_ERROR(wal.CutSegment());
    RAFTLAB_RETURN_IF_ERROR(wal.Sync());
  }
  return wal;
}

Status Wal::AppendRecord(int type, const std::string& payload) {
  std::string frame;
  crc_ = EncodeRecord(static_cast<RecordType>(type), payload, crc_, &frame);
  RAFTLAB_RETURN_IF_ERROR(fs_->Append(segment_names_.back(), frame));
  current_bytes_ += frame.size();
  if (unsynced_.empty() || unsynced_.back() != segment_names_.back()) {
    unsynced_.push_back(segment_names_.back());
  }
  return OkStatus();
}

Status Wal::CutSegment() {
  const uint64_t seq = segment_names_.empty() ? 0 : seq_ + 1;
  const uint32_t chain = crc_;
  seq_ = seq;
  segment_names_.push_back(SegmentName(seq));
  segment_last_index_.push_back(0);
  current_bytes_ = 0;
  std::string header;
  PutU64(&header, seq);
  PutU32(&header, chain);
  RAFTLAB_RETURN_IF_ERROR(AppendRecord(static_cast<int>(RecordType::kSegmentHeader), header));
  // Repeat the hard state, so releasing older segments never loses it.
  if (!hard_state_.IsEmpty()) {
    RAFTLAB_RETURN_IF_ERROR(AppendRecord(static_cast<int>(RecordType::kHardState),
                                         raft::ToProto(hard_state_).SerializeAsString()));
  }
  return OkStatus();
}

Status Wal::Save(const raft::HardState& hs, const std::vector<raft::Entry>& entries) {
  for (const raft::Entry& e : entries) {
    if (current_bytes_ >= options_.segment_bytes) RAFTLAB_RETURN_IF_ERROR(CutSegment());
    RAFTLAB_RETURN_IF_ERROR(AppendRecord(static_cast<int>(RecordType::kEntry),
                                         raft::ToProto(e).SerializeAsString()));
    last_index_ = e.index;
    segment_last_index_.back() = std::max(segment_last_index_.back(), e.index);
  }
  if (!hs.IsEmpty()) {
    hard_state_ = hs;
    RAFTLAB_RETURN_IF_ERROR(AppendRecord(static_cast<int>(RecordType::kHardState),
                                         raft::ToProto(hs).SerializeAsString()));
  }
  return OkStatus();
}

Status Wal::SaveSnapshotInstalled(uint64_t index, uint64_t term) {
  std::string payload;
  PutU64(&payload, index);
  PutU64(&payload, term);
  RAFTLAB_RETURN_IF_ERROR(AppendRecord(static_cast<int>(RecordType::kSnapshotInstalled), payload));
  last_index_ = index;
  segment_last_index_.back() = std::max(segment_last_index_.back(), index);
  return OkStatus();
}

Status Wal::Sync() {
  for (const std::string& name : unsynced_) RAFTLAB_RETURN_IF_ERROR(fs_->Sync(name));
  unsynced_.clear();
  return OkStatus();
}

Status Wal::ReleaseTo(uint64_t index) {
  // Entries overwritten later live in later segments, so a prefix of whole
  // segments whose highest entry is <= index can go.
  size_t drop = 0;
  while (drop + 1 < segment_names_.size() && segment_last_index_[drop] <= index) ++drop;
  for (size_t k = 0; k < drop; ++k) RAFTLAB_RETURN_IF_ERROR(fs_->Remove(segment_names_[k]));
  segment_names_.erase(segment_names_.begin(), segment_names_.begin() + static_cast<long>(drop));
  segment_last_index_.erase(segment_last_index_.begin(),
                            segment_last_index_.begin() + static_cast<long>(drop));
  return OkStatus();
}

}  // namespace raftlab::storage
