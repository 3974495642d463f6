// PosixFileSystem: core/storage's FileSystem on a real directory, for the
// live runner's members.
//
// Durability, as the FileSystem contract asks:
// - Append writes through to the file (write(2)); Sync(name) makes the
//   file's content durable with fdatasync(2), and if the file is new since
//   the directory was last synced, fsyncs the directory too, so the file's
//   name survives a crash as well as its bytes.
// - Rename and Remove are atomic (rename(2), unlink(2)) and durable when
//   they return: the directory is fsynced right after.
// - Every descriptor is opened with O_CLOEXEC: a member's children (none
//   today) never inherit its files.
// - Errors (EIO, ENOSPC, ...) come back as kIo with the path, the call and
//   errno's text; a failed fdatasync is reported, never retried (after a
//   failed fsync the kernel may have dropped the dirty pages).
//
// Open() takes an exclusive flock(2) on DIR/LOCK for the object's lifetime,
// so two processes never share a data directory. Files are kept open
// between appends; the class is not thread-safe (a member's loop thread
// owns it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/storage/file_system.h"

namespace raftlab::runner {

class PosixFileSystem : public storage::FileSystem {
 public:
  // Creates `dir` (one level) if it does not exist, then locks it.
  static Result<std::unique_ptr<PosixFileSystem>> Open(const std::string& dir);
  ~PosixFileSystem() override;
  PosixFileSystem(const PosixFileSystem&) = delete;
  PosixFileSystem& operator=(const PosixFileSystem&) = delete;

  std::vector<std::string> List() const override;
  bool Exists(const std::string& name) const override;
  Result<std::string> Read(const std::string& name) const override;
  Status Append(const std::string& name, std::string_view data) override;
  Status Truncate(const std::string& name, uint64_t size) override;
  Status Sync(const std::string& name) override;
  Status Remove(const std::string& name) override;
  Status Rename(const std::string& from, const std::string& to) override;

  const std::string& dir() const { return dir_; }

 private:
  PosixFileSystem(std::string dir, int dir_fd, int lock_fd)
      : dir_(std::move(dir)), dir_fd_(dir_fd), lock_fd_(lock_fd) {}
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // The open descriptor for appending to `name`, creating the file.
  Result<int> AppendFd(const std::string& name);
  void Close(const std::string& name);
  Status SyncDir(const char* why);

  std::string dir_;
  int dir_fd_;
  int lock_fd_;
  std::map<std::string, int> append_fds_;
  bool dir_dirty_ = false;  // a file was created since the directory was synced
};

}  // namespace raftlab::runner
