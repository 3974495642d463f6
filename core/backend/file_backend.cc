#include "core/backend/file_backend.h"

#include <fmt/format.h>

#include "core/storage/record.h"

namespace raftlab::backend {
namespace {

constexpr const char* kDefragFile = "backend.db.defrag";

// Bytes one put adds to a payload.
int64_t EncodedSize(std::string_view key, std::string_view value) {
  return static_cast<int64_t>(2 + 4 + key.size() + 4 + value.size());
}

}  // namespace

std::string EncodeWrites(const std::vector<Write>& writes) {
  std::string out;
  for (const Write& w : writes) {
    out.push_back(static_cast<char>(w.bucket));
    out.push_back(w.value ? 1 : 0);
    storage::PutU32(&out, static_cast<uint32_t>(w.key.size()));
    out.append(w.key);
    if (w.value) {
      storage::PutU32(&out, static_cast<uint32_t>(w.value->size()));
      out.append(*w.value);
    }
  }
  return out;
}

std::optional<std::vector<Write>> DecodeWrites(std::string_view in) {
  std::vector<Write> out;
  size_t at = 0;
  const auto take = [&](std::string* s) {
    if (in.size() - at < 4) return false;
    const uint32_t n = storage::GetU32(in, at);
    at += 4;
    if (in.size() - at < n) return false;
    s->assign(in.substr(at, n));
    at += n;
    return true;
  };
  while (at < in.size()) {
    if (in.size() - at < 2) return std::nullopt;
    const auto bucket = static_cast<uint8_t>(in[at]);
    const auto op = static_cast<uint8_t>(in[at + 1]);
    at += 2;
    if (bucket >= kBucketCount || op > 1) return std::nullopt;
    Write w;
    w.bucket = static_cast<Bucket>(bucket);
    if (!take(&w.key)) return std::nullopt;
    if (op == 1 && !take(&w.value.emplace())) return std::nullopt;
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::unique_ptr<FileBackend>> FileBackend::Open(storage::FileSystem* fs,
                                                       BatchOptions options) {
  std::unique_ptr<FileBackend> b(new FileBackend(fs, options));
  // A defragment that crashed before its rename left a partial copy behind.
  if (fs->Exists(kDefragFile)) RAFTLAB_RETURN_IF_ERROR(fs->Remove(kDefragFile));
  if (!fs->Exists(kBackendFile)) return b;
  Result<std::string> bytes = fs->Read(kBackendFile);
  if (!bytes) return tl::unexpected(bytes.error());
  size_t offset = 0;
  while (offset < bytes->size()) {
    storage::DecodeResult r = storage::DecodeRecord(*bytes, offset, b->crc_);
    if (r.status == storage::DecodeStatus::kIncomplete) {
      // A commit torn by a crash before its fsync: it was never acknowledged.
      b->notes_.push_back(fmt::format("{}: cut a torn batch at offset {} ({} bytes)", kBackendFile,
                                      offset, bytes->size() - offset));
      RAFTLAB_RETURN_IF_ERROR(fs->Truncate(kBackendFile, offset));
      RAFTLAB_RETURN_IF_ERROR(fs->Sync(kBackendFile));
      break;
    }
    std::optional<std::vector<Write>> writes;
    if (r.status == storage::DecodeStatus::kOk) {
      if (r.record.type == storage::RecordType::kBackendBatch) writes = DecodeWrites(r.record.payload);
      if (!writes) r.why = "a record that is not a backend batch";
    }
    if (!writes) {
      return MakeError(ErrorCode::kCorruption,
                       fmt::format("{} at offset {}: {}", kBackendFile, offset, r.why));
    }
    for (const Write& w : *writes) b->ApplyWrite(w);
    b->high_water_bytes_ = std::max(b->high_water_bytes_, b->SizeInUse());
    b->crc_ = r.crc;
    offset = r.next_offset;
  }
  b->file_bytes_ = static_cast<int64_t>(offset);
  return b;
}

void FileBackend::ApplyWrite(const Write& w) {
  Store& store = store_[static_cast<int>(w.bucket)];
  auto it = store.find(w.key);
  if (it != store.end()) {
    live_payload_bytes_ -= EncodedSize(it->first, it->second);
    if (!w.value) {
      store.erase(it);
      return;
    }
    it->second = *w.value;
  } else {
    if (!w.value) return;
    it = store.emplace(w.key, *w.value).first;
  }
  live_payload_bytes_ += EncodedSize(it->first, it->second);
}

int64_t FileBackend::SizeInUse() const {
  return live_payload_bytes_ == 0
             ? 0
             : static_cast<int64_t>(storage::kRecordHeaderBytes) + live_payload_bytes_;
}

Status FileBackend::AppendRecord(const std::string& file, const std::string& payload,
                                 uint32_t* crc) {
  std::string record;
  const uint32_t next = storage::EncodeRecord(storage::RecordType::kBackendBatch, payload, *crc,
                                              &record);
  RAFTLAB_RETURN_IF_ERROR(fs_->Append(file, record));
  RAFTLAB_RETURN_IF_ERROR(fs_->Sync(file));
  *crc = next;
  return OkStatus();
}

Status FileBackend::CommitWrites(const std::vector<Write>& writes) {
  const std::string payload = EncodeWrites(writes);
  RAFTLAB_RETURN_IF_ERROR(AppendRecord(kBackendFile, payload, &crc_));
  file_bytes_ += static_cast<int64_t>(storage::kRecordHeaderBytes + payload.size());
  for (const Write& w : writes) ApplyWrite(w);
  high_water_bytes_ = std::max(high_water_bytes_, SizeInUse());
  return OkStatus();
}

std::optional<std::string> FileBackend::GetCommitted(Bucket b, std::string_view key) const {
  const Store& store = store_[static_cast<int>(b)];
  auto it = store.find(key);
  if (it == store.end()) return std::nullopt;
  return it->second;
}

void FileBackend::RangeCommitted(Bucket b, std::string_view start, std::string_view end,
                                 const Visitor& fn) const {
  const Store& store = store_[static_cast<int>(b)];
  for (auto it = store.lower_bound(start); it != store.end(); ++it) {
    if (!end.empty() && it->first >= end) return;
    if (!fn(it->first, it->second)) return;
  }
}

Status FileBackend::Compact() {
  std::vector<Write> live;
  for (int b = 0; b < kBucketCount; ++b) {
    for (const auto& [key, value] : store_[b]) live.push_back({static_cast<Bucket>(b), key, value});
  }
  if (fs_->Exists(kDefragFile)) RAFTLAB_RETURN_IF_ERROR(fs_->Remove(kDefragFile));
  uint32_t crc = 0;
  int64_t bytes = 0;
  if (!live.empty()) {
    const std::string payload = EncodeWrites(live);
    RAFTLAB_RETURN_IF_ERROR(AppendRecord(kDefragFile, payload, &crc));
    bytes = static_cast<int64_t>(storage::kRecordHeaderBytes + payload.size());
  } else {
    RAFTLAB_RETURN_IF_ERROR(fs_->Append(kDefragFile, ""));
    RAFTLAB_RETURN_IF_ERROR(fs_->Sync(kDefragFile));
  }
  RAFTLAB_RETURN_IF_ERROR(fs_->Rename(kDefragFile, kBackendFile));
  crc_ = crc;
  file_bytes_ = bytes;
  high_water_bytes_ = SizeInUse();
  return OkStatus();
}

}  // namespace raftlab::backend
