#include "core/storage/memory_file_system.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::storage {
namespace {

tl::unexpected<Error> NoFile(const std::string& name) {
  return MakeError(ErrorCode::kNotFound, name + ": no such file");
}

}  // namespace

std::vector<std::string> MemoryFileSystem::List() const {
  std::vector<std::string> names;
  for (const auto& [name, f] : files_) names.push_back(name);
  return names;
}

bool MemoryFileSystem::Exists(const std::string& name) const { return files_.count(name) != 0; }

Result<std::string> MemoryFileSystem::Read(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) return NoFile(name);
  return it->second.content;
}

Status MemoryFileSystem::Append(const std::string& name, std::string_view data) {
  files_[name].content.append(data);
  return OkStatus();
}

Status MemoryFileSystem::Truncate(const std::string& name, uint64_t size) {
  auto it = files_.find(name);
  if (it == files_.end()) return NoFile(name);
  File& f = it->second;
  CHECK_LE(size, f.content.size());
  if (!f.diverged && size < f.durable_size) {
    f.durable_copy = f.content.substr(0, f.durable_size);
    f.diverged = true;
  }
  f.content.resize(size);
  return OkStatus();
}

Status MemoryFileSystem::Sync(const std::string& name) {
  auto it = files_.find(name);
  if (it == files_.end()) return NoFile(name);
  File& f = it->second;
  f.durable_size = f.content.size();
  f.diverged = false;
  f.durable_copy = std::string();
  f.ever_synced = true;
  return OkStatus();
}

Status MemoryFileSystem::Remove(const std::string& name) {
  if (files_.erase(name) == 0) return NoFile(name);
  return OkStatus();
}

Status MemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return NoFile(from);
  File f = std::move(it->second);
  files_.erase(it);
  // A rename is durable: the renamed file survives a crash with its durable bytes.
  f.ever_synced = true;
  files_[to] = std::move(f);
  return OkStatus();
}

void MemoryFileSystem::Crash(uint64_t keep_unsynced_bytes) {
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = it->second;
    const std::string_view durable = f.Durable();
    if (!f.diverged) CHECK_LE(f.durable_size, f.content.size());
    // Diverged bytes may have been rewritten identically since the Truncate.
    const bool prefix = !f.diverged || (f.content.size() >= durable.size() &&
                                        std::string_view(f.content).substr(0, durable.size()) ==
                                            durable);
    uint64_t keep = durable.size();
    if (prefix && keep_unsynced_bytes > 0) {
      keep += std::min<uint64_t>(keep_unsynced_bytes, f.content.size() - durable.size());
    }
    if (!f.ever_synced && keep == 0) {
      it = files_.erase(it);
      continue;
    }
    if (prefix) {
      f.content.resize(keep);
    } else {
      f.content = std::move(f.durable_copy);
    }
    f.durable_size = keep;
    f.diverged = false;
    f.durable_copy = std::string();
    ++it;
  }
}

uint64_t MemoryFileSystem::UnsyncedBytes(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) return 0;
  const File& f = it->second;
  const uint64_t durable = f.Durable().size();
  return f.content.size() > durable ? f.content.size() - durable : 0;
}

Status MemoryFileSystem::FlipBits(const std::string& name, uint64_t offset, uint8_t mask) {
  auto it = files_.find(name);
  if (it == files_.end()) return NoFile(name);
  File& f = it->second;
  if (offset >= f.content.size()) return MakeError(ErrorCode::kOutOfRange, name + ": offset");
  f.content[offset] = static_cast<char>(f.content[offset] ^ mask);
  // Undiverged, the durable bytes are the content's prefix and flipped with it.
  if (f.diverged && offset < f.durable_copy.size()) {
    f.durable_copy[offset] = static_cast<char>(f.durable_copy[offset] ^ mask);
  }
  return OkStatus();
}

}  // namespace raftlab::storage
