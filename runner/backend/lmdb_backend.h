// LmdbBackend: the live runner's backend, on LMDB (Debian liblmdb-dev).
// BoltDB, etcd's backend, is LMDB's design in Go (one writer, readers on
// snapshots, a copy-on-write B+tree with two meta pages), so raftlab uses
// LMDB itself rather than writing one. Each bucket is an LMDB database; a
// batch commits as one LMDB write transaction, which LMDB makes atomic and
// durable (it syncs the data pages, then the meta page).
//
// Size() is the file's used extent (the last page, as bbolt reports its
// file size); SizeInUse() that minus the pages on LMDB's free list.
// Defragment copies the environment compacted (mdb_env_copy2 with
// MDB_CP_COMPACT), fsyncs it and renames it over the data file.
//
// Layout: DIR/data.mdb and DIR/lock.mdb (LMDB's own names).
#pragma once

#include <memory>
#include <string>

#include "core/backend/backend.h"

typedef struct MDB_env MDB_env;
typedef unsigned int MDB_dbi;

namespace raftlab::runner {

class LmdbBackend : public backend::Backend {
 public:
  // Opens (creating) the environment in `dir`, which must exist. Errors
  // name the directory and LMDB's reason.
  static Result<std::unique_ptr<LmdbBackend>> Open(const std::string& dir,
                                                   backend::BatchOptions options);
  ~LmdbBackend() override;

  int64_t Size() const override;
  int64_t SizeInUse() const override;

 protected:
  Status CommitWrites(const std::vector<backend::Write>& writes) override;
  std::optional<std::string> GetCommitted(backend::Bucket b, std::string_view key) const override;
  void RangeCommitted(backend::Bucket b, std::string_view start, std::string_view end,
                      const backend::Visitor& fn) const override;
  Status Compact() override;

 private:
  LmdbBackend(std::string dir, backend::BatchOptions options)
      : Backend(options), dir_(std::move(dir)) {}
  Status OpenEnv();
  void CloseEnv();
  Status Fail(const char* what, int rc) const;

  std::string dir_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_[backend::kBucketCount] = {};
};

}  // namespace raftlab::runner
