// Result<T>: the value-or-error type returned across module boundaries.
//
// Contract: environment and input errors (files, YAML, sockets, parse errors)
// travel as Result values; protocol outcomes use plain enums; broken
// invariants are CHECK failures. No exception crosses a core/ API.
// tl::expected (libexpected-dev) is shaped like C++23 std::expected, so the
// move to the standard type is this one file.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace raftlab {

enum class ErrorCode {
  kInvalidArgument,  // the caller's input is malformed
  kCorruption,       // stored bytes fail a checksum or structural check
  kNotFound,
  kOutOfRange,
  kIo,               // the device reported a failure (EIO, ENOSPC)
  kUnavailable,
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct [[nodiscard]] Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // says where (file:line:column, segment:offset) and what was expected

  std::string ToString() const { return std::string(ErrorCodeName(code)) + ": " + message; }
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline Status OkStatus() { return {}; }

}  // namespace raftlab

// Propagates the error of a Result-returning expression.
#define RAFTLAB_RETURN_IF_ERROR(expr)                      \
  do {                                                     \
    auto raftlab_status_ = (expr);                         \
    if (!raftlab_status_) {                                \
      return tl::unexpected(raftlab_status_.error());      \
    }                                                      \
  } while (0)
