// The live runner's LMDB backend against the backend contract
// (tests/core/backend/backend_contract.h), in a fresh directory per test.
#include "runner/backend/lmdb_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/base/check.h"
#include "tests/core/backend/backend_contract.h"

namespace raftlab::backend::testing {

struct LmdbHarness {
  std::string dir;
  LmdbHarness() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "raftlab-lmdb-XXXXXX").string();
    CHECK(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~LmdbHarness() { std::filesystem::remove_all(dir); }
  std::unique_ptr<Backend> Open(BatchOptions options) {
    auto b = runner::LmdbBackend::Open(dir, options);
    CHECK_MSG(b.has_value(), b ? "" : b.error().message);
    return std::move(*b);
  }
};

// (gtest wants the instantiation in the suite's own namespace.)
INSTANTIATE_TYPED_TEST_SUITE_P(Lmdb, BackendContract, LmdbHarness);

}  // namespace raftlab::backend::testing

namespace raftlab::runner {
namespace {

TEST(LmdbBackend, AMissingDirectoryIsAnErrorNamingIt) {
  auto b = LmdbBackend::Open("/nonexistent/raftlab-backend", backend::BatchOptions{});
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message.find("/nonexistent/raftlab-backend"), std::string::npos);
}

}  // namespace
}  // namespace raftlab::runner
