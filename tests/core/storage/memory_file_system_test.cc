// MemoryFileSystem keeps a file's durable bytes as a length into its content
// (a Sync must not copy a whole WAL segment). This checks it against a dumb
// reference that keeps two full strings, over random sequences of appends,
// truncations, syncs, crashes and bit flips (etcd quorum/quick_test.go shape).
#include "core/storage/memory_file_system.h"

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace raftlab::storage {
namespace {

// The obvious model: what Read returns and what survives a crash, as two
// independent strings.
class ReferenceFileSystem {
 public:
  void Append(const std::string& name, const std::string& data) { files_[name].content += data; }
  void Truncate(const std::string& name, uint64_t size) { files_.at(name).content.resize(size); }
  void Sync(const std::string& name) {
    File& f = files_.at(name);
    f.durable = f.content;
    f.ever_synced = true;
  }
  void Crash(uint64_t keep_unsynced_bytes) {
    for (auto it = files_.begin(); it != files_.end();) {
      File& f = it->second;
      const bool prefix = f.content.size() >= f.durable.size() &&
                          f.content.compare(0, f.durable.size(), f.durable) == 0;
      std::string survivor = f.durable;
      if (prefix && keep_unsynced_bytes > 0) {
        const uint64_t unsynced = f.content.size() - f.durable.size();
        survivor = f.content.substr(0, f.durable.size() + std::min(keep_unsynced_bytes, unsynced));
      }
      if (!f.ever_synced && survivor.empty()) {
        it = files_.erase(it);
        continue;
      }
      f.content = survivor;
      f.durable = survivor;
      ++it;
    }
  }
  void FlipBits(const std::string& name, uint64_t offset, uint8_t mask) {
    File& f = files_.at(name);
    f.content[offset] = static_cast<char>(f.content[offset] ^ mask);
    if (offset < f.durable.size()) f.durable[offset] = static_cast<char>(f.durable[offset] ^ mask);
  }
  bool Exists(const std::string& name) const { return files_.count(name) != 0; }
  const std::string& Content(const std::string& name) const { return files_.at(name).content; }
  uint64_t Unsynced(const std::string& name) const {
    const File& f = files_.at(name);
    return f.content.size() > f.durable.size() ? f.content.size() - f.durable.size() : 0;
  }

 private:
  struct File {
    std::string content;
    std::string durable;
    bool ever_synced = false;
  };
  std::map<std::string, File> files_;
};

void ExpectSame(const ReferenceFileSystem& want, const MemoryFileSystem& got) {
  for (const std::string name : {"a", "b"}) {
    RC_ASSERT(got.Exists(name) == want.Exists(name));
    if (!want.Exists(name)) continue;
    RC_ASSERT(got.Read(name).value() == want.Content(name));
    RC_ASSERT(got.UnsyncedBytes(name) == want.Unsynced(name));
  }
}

RC_GTEST_PROP(MemoryFileSystem, BehavesLikeTwoStringReference, ()) {
  ReferenceFileSystem want;
  MemoryFileSystem got;
  const int steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    const std::string name = *rc::gen::element<std::string>("a", "b");
    const int op = *rc::gen::inRange(0, 5);
    if (op == 0 || !want.Exists(name)) {
      const std::string data = *rc::gen::container<std::string>(
          *rc::gen::inRange(1, 8), rc::gen::element('x', 'y', 'z'));
      want.Append(name, data);
      RC_ASSERT(got.Append(name, data).has_value());
    } else if (op == 1) {
      const uint64_t size = *rc::gen::inRange<uint64_t>(0, want.Content(name).size() + 1);
      want.Truncate(name, size);
      RC_ASSERT(got.Truncate(name, size).has_value());
    } else if (op == 2) {
      want.Sync(name);
      RC_ASSERT(got.Sync(name).has_value());
    } else if (op == 3) {
      const uint64_t keep = *rc::gen::element<uint64_t>(0, 1, 3, UINT64_MAX);
      want.Crash(keep);
      got.Crash(keep);
    } else if (!want.Content(name).empty()) {
      const uint64_t offset = *rc::gen::inRange<uint64_t>(0, want.Content(name).size());
      want.FlipBits(name, offset, 0x01);
      RC_ASSERT(got.FlipBits(name, offset, 0x01).has_value());
    }
    ExpectSame(want, got);
  }
}

}  // namespace
}  // namespace raftlab::storage
