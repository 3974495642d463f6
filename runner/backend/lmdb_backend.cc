#include "runner/backend/lmdb_backend.h"

#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::runner {
namespace {

// Address space reserved for the map; the file grows only as pages are used.
constexpr size_t kMapBytes = size_t{64} << 30;

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// A read-only transaction that always ends.
class ReadTxn {
 public:
  explicit ReadTxn(MDB_env* env) { CHECK_EQ(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_), 0); }
  ~ReadTxn() { mdb_txn_abort(txn_); }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, fmt::format("open {}: {}", path, std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIo, fmt::format("fsync {}: {}", path, std::strerror(err)));
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<LmdbBackend>> LmdbBackend::Open(const std::string& dir,
                                                       backend::BatchOptions options) {
  std::unique_ptr<LmdbBackend> b(new LmdbBackend(dir, options));
  RAFTLAB_RETURN_IF_ERROR(b->OpenEnv());
  return b;
}

LmdbBackend::~LmdbBackend() { CloseEnv(); }

Status LmdbBackend::Fail(const char* what, int rc) const {
  return MakeError(rc == EIO || rc == ENOSPC || rc == MDB_MAP_FULL ? ErrorCode::kIo
                                                                   : ErrorCode::kCorruption,
                   fmt::format("backend {}: {}: {}", dir_, what, mdb_strerror(rc)));
}

Status LmdbBackend::OpenEnv() {
  int rc = mdb_env_create(&env_);
  if (rc != 0) return Fail("mdb_env_create", rc);
  mdb_env_set_maxdbs(env_, backend::kBucketCount);
  mdb_env_set_mapsize(env_, kMapBytes);
  // One process, one thread: no thread-local reader slots needed.
  rc = mdb_env_open(env_, dir_.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) {
    CloseEnv();
    return Fail("mdb_env_open", rc);
  }
  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, 0, &txn)) != 0) return Fail("mdb_txn_begin", rc);
  for (int i = 0; i < backend::kBucketCount; ++i) {
    rc = mdb_dbi_open(txn, backend::BucketName(static_cast<backend::Bucket>(i)), MDB_CREATE, &dbi_[i]);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return Fail("mdb_dbi_open", rc);
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return Fail("mdb_txn_commit", rc);
  return OkStatus();
}

void LmdbBackend::CloseEnv() {
  if (env_ != nullptr) mdb_env_close(env_);
  env_ = nullptr;
}

Status LmdbBackend::CommitWrites(const std::vector<backend::Write>& writes) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return Fail("mdb_txn_begin", rc);
  for (const backend::Write& w : writes) {
    MDB_val key = Val(w.key);
    const MDB_dbi dbi = dbi_[static_cast<int>(w.bucket)];
    if (w.value) {
      MDB_val value = Val(*w.value);
      rc = mdb_put(txn, dbi, &key, &value, 0);
    } else {
      rc = mdb_del(txn, dbi, &key, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
    }
    if (rc != 0) {
      mdb_txn_abort(txn);
      return Fail("write", rc);
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return Fail("commit", rc);
  return OkStatus();
}

std::optional<std::string> LmdbBackend::GetCommitted(backend::Bucket b, std::string_view key) const {
  ReadTxn txn(env_);
  MDB_val k = Val(key);
  MDB_val v;
  const int rc = mdb_get(txn.get(), dbi_[static_cast<int>(b)], &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  CHECK_MSG(rc == 0, mdb_strerror(rc));
  return std::string(View(v));
}

void LmdbBackend::RangeCommitted(backend::Bucket b, std::string_view start, std::string_view end,
                                 const backend::Visitor& fn) const {
  ReadTxn txn(env_);
  MDB_cursor* cursor = nullptr;
  CHECK_EQ(mdb_cursor_open(txn.get(), dbi_[static_cast<int>(b)], &cursor), 0);
  MDB_val k = Val(start);
  MDB_val v;
  // LMDB refuses an empty key; the bucket's first key is where "" starts.
  int rc = start.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
                         : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == 0) {
    const std::string_view key = View(k);
    if (!end.empty() && key >= end) break;
    if (!fn(key, View(v))) break;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
}

int64_t LmdbBackend::Size() const {
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_, &info);
  mdb_env_stat(env_, &stat);
  return static_cast<int64_t>((info.me_last_pgno + 1) * stat.ms_psize);
}

int64_t LmdbBackend::SizeInUse() const {
  // The free list (database 0) maps a transaction id to the pages it freed:
  // an array of page numbers whose first element is their count.
  ReadTxn txn(env_);
  MDB_cursor* cursor = nullptr;
  CHECK_EQ(mdb_cursor_open(txn.get(), 0, &cursor), 0);
  MDB_val k;
  MDB_val v;
  size_t free_pages = 0;
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    free_pages += *static_cast<const size_t*>(v.mv_data);
  }
  mdb_cursor_close(cursor);
  MDB_stat stat;
  mdb_env_stat(env_, &stat);
  return Size() - static_cast<int64_t>(free_pages * stat.ms_psize);
}

Status LmdbBackend::Compact() {
  namespace fs = std::filesystem;
  const std::string copy = dir_ + "/defrag";
  std::error_code ec;
  fs::remove_all(copy, ec);
  fs::create_directory(copy, ec);
  if (ec) return MakeError(ErrorCode::kIo, fmt::format("backend {}: {}", copy, ec.message()));
  int rc = mdb_env_copy2(env_, copy.c_str(), MDB_CP_COMPACT);
  if (rc != 0) return Fail("mdb_env_copy2", rc);
  RAFTLAB_RETURN_IF_ERROR(SyncPath(copy + "/data.mdb", O_RDONLY));
  CloseEnv();
  // The rename is the switch: before it the old file is whole, after it the
  // compacted copy (synced above); the directory's fsync makes it durable.
  fs::rename(copy + "/data.mdb", dir_ + "/data.mdb", ec);
  Status renamed = ec ? Status(MakeError(ErrorCode::kIo, fmt::format("backend {}: rename: {}", dir_,
                                                                     ec.message())))
                      : SyncPath(dir_, O_RDONLY | O_DIRECTORY);
  fs::remove_all(copy, ec);
  Status reopened = OpenEnv();  // the old file or the new one, whole either way
  return renamed ? reopened : renamed;
}

}  // namespace raftlab::runner
