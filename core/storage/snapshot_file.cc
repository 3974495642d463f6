#include "core/storage/snapshot_file.h"

#include <algorithm>
#include <cstdio>

#include "core/base/check.h"
#include "core/base/crc32c.h"
#include "core/raft/codec.h"
#include "core/storage/record.h"
#include "raft.pb.h"

namespace raftlab::storage {
namespace {

constexpr std::string_view kMagic = "RLSNAP01";
constexpr size_t kHeaderBytes = 8 + 4 + 8;

bool IsSnapshotFile(const std::string& name) {
  return name.size() == 5 + 16 + 1 + 16 + 5 && name.rfind("snap-", 0) == 0 &&
         name.compare(name.size() - 5, 5, ".snap") == 0;
}

tl::unexpected<Error> Corrupt(const std::string& name, const std::string& why) {
  return MakeError(ErrorCode::kCorruption, "snapshot " + name + ": " + why);
}

}  // namespace

std::string SnapshotFileName(uint64_t term, uint64_t index) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "snap-%016llx-%016llx.snap",
                static_cast<unsigned long long>(term), static_cast<unsigned long long>(index));
  return buf;
}

std::string EncodeSnapshotFile(const raft::Snapshot& snapshot) {
  const std::string payload = raft::ToProto(snapshot).SerializeAsString();
  std::string out(kMagic);
  PutU32(&out, crc32c::Value(payload));
  PutU64(&out, payload.size());
  out += payload;
  return out;
}

Result<raft::Snapshot> DecodeSnapshotFile(const std::string& name, const std::string& bytes) {
  if (bytes.size() < kHeaderBytes) return Corrupt(name, "shorter than its header");
  if (std::string_view(bytes).substr(0, kMagic.size()) != kMagic) {
    return Corrupt(name, "bad magic (expected RLSNAP01)");
  }
  const uint32_t crc = GetU32(bytes, 8);
  const uint64_t length = GetU64(bytes, 12);
  if (length != bytes.size() - kHeaderBytes) {
    return Corrupt(name, "length field says " + std::to_string(length) + " bytes, file has " +
                             std::to_string(bytes.size() - kHeaderBytes));
  }
  const std::string_view payload = std::string_view(bytes).substr(kHeaderBytes);
  if (crc32c::Value(payload) != crc) return Corrupt(name, "checksum mismatch");
  raftpb::Snapshot p;
  if (!p.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Corrupt(name, "payload does not parse as a snapshot");
  }
  Result<raft::Snapshot> s = raft::FromProto(p);
  if (!s) return Corrupt(name, s.error().message);
  if (SnapshotFileName(s->metadata.term, s->metadata.index) != name) {
    return Corrupt(name, "metadata does not match the file name");
  }
  return s;
}

Status SaveSnapshot(FileSystem* fs, const raft::Snapshot& snapshot) {
  CHECK(!snapshot.IsEmpty());
  const std::string name = SnapshotFileName(snapshot.metadata.term, snapshot.metadata.index);
  const std::string tmp = "tmp-" + name;
  if (fs->Exists(tmp)) RAFTLAB_RETURN_IF_ERROR(fs->Remove(tmp));
  RAFTLAB_RETURN_IF_ERROR(fs->Append(tmp, EncodeSnapshotFile(snapshot)));
  RAFTLAB_RETURN_IF_ERROR(fs->Sync(tmp));
  return fs->Rename(tmp, name);
}

Result<std::optional<raft::Snapshot>> LoadNewestSnapshot(const FileSystem& fs,
                                                         std::vector<std::string>* skipped) {
  std::vector<std::pair<uint64_t, std::string>> candidates;  // (index, name)
  for (const std::string& n : fs.List()) {
    if (!IsSnapshotFile(n)) continue;
    const uint64_t index = std::strtoull(n.substr(22, 16).c_str(), nullptr, 16);
    candidates.emplace_back(index, n);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  for (const auto& [index, name] : candidates) {
    Result<std::string> bytes = fs.Read(name);
    if (!bytes) return tl::unexpected(bytes.error());
    Result<raft::Snapshot> s = DecodeSnapshotFile(name, *bytes);
    if (s) return std::optional<raft::Snapshot>(std::move(*s));
    if (skipped != nullptr) skipped->push_back(s.error().message);
  }
  return std::optional<raft::Snapshot>();
}

Status ReleaseSnapshots(FileSystem* fs, size_t keep) {
  std::vector<std::string> names;
  for (const std::string& n : fs->List()) {
    if (IsSnapshotFile(n)) names.push_back(n);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return a.substr(22, 16) < b.substr(22, 16);  // by index
  });
  for (size_t k = 0; k + keep < names.size(); ++k) RAFTLAB_RETURN_IF_ERROR(fs->Remove(names[k]));
  return OkStatus();
}

}  // namespace raftlab::storage
