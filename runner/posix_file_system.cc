#include "runner/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace raftlab::runner {
namespace {

constexpr const char* kLockName = "LOCK";

tl::unexpected<Error> IoError(const std::string& path, const char* call, int err) {
  return MakeError(ErrorCode::kIo, fmt::format("{}: {}: {}", path, call, std::strerror(err)));
}

// write(2) until everything is written (it may write less, e.g. on signals).
Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path, "write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<PosixFileSystem>> PosixFileSystem::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return IoError(dir, "mkdir", errno);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return IoError(dir, "open", errno);
  const std::string lock_path = dir + "/" + kLockName;
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    const int err = errno;
    ::close(dir_fd);
    return IoError(lock_path, "open", err);
  }
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd);
    ::close(dir_fd);
    if (err == EWOULDBLOCK) {
      return MakeError(ErrorCode::kUnavailable,
                       fmt::format("{}: the data directory is in use by another process", dir));
    }
    return IoError(lock_path, "flock", err);
  }
  return std::unique_ptr<PosixFileSystem>(new PosixFileSystem(dir, dir_fd, lock_fd));
}

PosixFileSystem::~PosixFileSystem() {
  for (const auto& [name, fd] : append_fds_) ::close(fd);
  ::close(lock_fd_);  // releases the flock
  ::close(dir_fd_);
}

std::vector<std::string> PosixFileSystem::List() const {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name == kLockName) continue;
    if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
    names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool PosixFileSystem::Exists(const std::string& name) const {
  struct stat st;
  return ::stat(Path(name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::string> PosixFileSystem::Read(const std::string& name) const {
  const std::string path = Path(name);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::kNotFound, path + ": no such file");
    return IoError(path, "open", errno);
  }
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return IoError(path, "read", err);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<int> PosixFileSystem::AppendFd(const std::string& name) {
  auto it = append_fds_.find(name);
  if (it != append_fds_.end()) return it->second;
  const std::string path = Path(name);
  const bool existed = Exists(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(path, "open", errno);
  if (!existed) dir_dirty_ = true;
  append_fds_[name] = fd;
  return fd;
}

void PosixFileSystem::Close(const std::string& name) {
  auto it = append_fds_.find(name);
  if (it == append_fds_.end()) return;
  ::close(it->second);
  append_fds_.erase(it);
}

Status PosixFileSystem::Append(const std::string& name, std::string_view data) {
  Result<int> fd = AppendFd(name);
  if (!fd) return tl::unexpected(fd.error());
  return WriteAll(*fd, data, Path(name));
}

Status PosixFileSystem::Truncate(const std::string& name, uint64_t size) {
  const std::string path = Path(name);
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return IoError(path, "truncate", errno);
  }
  return OkStatus();
}

Status PosixFileSystem::Sync(const std::string& name) {
  const std::string path = Path(name);
  auto it = append_fds_.find(name);
  int fd = it != append_fds_.end() ? it->second : -1;
  const bool temporary = fd < 0;
  if (temporary) {
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return IoError(path, "open", errno);
  }
  const int rc = ::fdatasync(fd);
  const int err = errno;
  if (temporary) ::close(fd);
  if (rc != 0) return IoError(path, "fdatasync", err);
  if (dir_dirty_) return SyncDir("a new file");
  return OkStatus();
}

Status PosixFileSystem::Remove(const std::string& name) {
  Close(name);
  const std::string path = Path(name);
  if (::unlink(path.c_str()) != 0) return IoError(path, "unlink", errno);
  return SyncDir("unlink");
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  Close(from);
  Close(to);
  if (::rename(Path(from).c_str(), Path(to).c_str()) != 0) {
    return IoError(Path(from) + " -> " + Path(to), "rename", errno);
  }
  return SyncDir("rename");
}

Status PosixFileSystem::SyncDir(const char* why) {
  if (::fsync(dir_fd_) != 0) return IoError(dir_ + " (after " + why + ")", "fsync", errno);
  dir_dirty_ = false;
  return OkStatus();
}

}  // namespace raftlab::runner
