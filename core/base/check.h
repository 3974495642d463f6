// CHECK macros: fail-stop assertions that stay on in every build type.
//
// A broken invariant is a finding, so a failure prints both operands, the
// expression and the location, then calls the installed failure handler.
// The simulator installs one that unwinds to the end of the run, which then
// reports the failure as a "crash:" finding with the trace so far and
// abandons the cluster's state; the default prints and aborts.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>

namespace raftlab {

// Called with a complete failure description. Must not return.
using CheckFailureHandler = void (*)(const std::string& message);

// Installs `handler` (nullptr restores the default: print to stderr, abort).
// Returns the previous handler.
CheckFailureHandler SetCheckFailureHandler(CheckFailureHandler handler);

namespace internal {

[[noreturn]] void CheckFailed(const char* file, int line, const std::string& what);

template <class T>
void PrintOperand(std::ostringstream& out, const T& value) {
  if constexpr (requires { out << value; }) {
    if constexpr (sizeof(T) == 1 && std::is_integral_v<T>) {
      out << static_cast<int>(value);
    } else {
      out << value;
    }
  } else {
    out << "<unprintable>";
  }
}

template <class A, class B>
[[noreturn]] void CheckOpFailed(const char* file, int line, const char* expr, const A& a,
                                const B& b) {
  std::ostringstream out;
  out << "CHECK failed: " << expr << " (";
  PrintOperand(out, a);
  out << " vs ";
  PrintOperand(out, b);
  out << ")";
  CheckFailed(file, line, out.str());
}

}  // namespace internal
}  // namespace raftlab

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) [[unlikely]] {                                             \
      ::raftlab::internal::CheckFailed(__FILE__, __LINE__,                  \
                                       "CHECK failed: " #cond);             \
    }                                                                       \
  } while (0)

#define CHECK_MSG(cond, msg)                                                \
  do {                                                                      \
    if (!(cond)) [[unlikely]] {                                             \
      ::raftlab::internal::CheckFailed(                                     \
          __FILE__, __LINE__, std::string("CHECK failed: " #cond ": ") + (msg)); \
    }                                                                       \
  } while (0)

#define RAFTLAB_CHECK_OP(op, a, b)                                          \
  do {                                                                      \
    const auto& raftlab_a_ = (a);                                           \
    const auto& raftlab_b_ = (b);                                           \
    if (!(raftlab_a_ op raftlab_b_)) [[unlikely]] {                         \
      ::raftlab::internal::CheckOpFailed(__FILE__, __LINE__,                \
                                         #a " " #op " " #b, raftlab_a_,     \
                                         raftlab_b_);                       \
    }                                                                       \
  } while (0)

#define CHECK_EQ(a, b) RAFTLAB_CHECK_OP(==, a, b)
#define CHECK_NE(a, b) RAFTLAB_CHECK_OP(!=, a, b)
#define CHECK_LT(a, b) RAFTLAB_CHECK_OP(<, a, b)
#define CHECK_LE(a, b) RAFTLAB_CHECK_OP(<=, a, b)
#define CHECK_GT(a, b) RAFTLAB_CHECK_OP(>, a, b)
#define CHECK_GE(a, b) RAFTLAB_CHECK_OP(>=, a, b)

#define UNREACHABLE() \
  ::raftlab::internal::CheckFailed(__FILE__, __LINE__, "UNREACHABLE reached")

// Documents that a condition may or may not hold here; checks nothing.
#define MAYBE(cond) static_cast<void>(sizeof(cond))
