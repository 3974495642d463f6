#include "core/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace raftlab {
namespace {

[[noreturn]] void DefaultHandler(const std::string& message) {
  std::fputs(message.c_str(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
  std::abort();
}

CheckFailureHandler g_handler = nullptr;  // process-wide: set once by a host at startup

}  // namespace

CheckFailureHandler SetCheckFailureHandler(CheckFailureHandler handler) {
  CheckFailureHandler previous = g_handler;
  g_handler = handler;
  return previous;
}

namespace internal {

void CheckFailed(const char* file, int line, const std::string& what) {
  std::string message = std::string(file) + ":" + std::to_string(line) + ": " + what;
  if (g_handler != nullptr) g_handler(message);
  DefaultHandler(message);  // a handler that returns is treated as the default
}

}  // namespace internal
}  // namespace raftlab
