#include "sim/core/trace.h"

#include <fmt/format.h>

namespace raftlab::sim {

void Trace::Mix(uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    hash_ ^= (v >> (8 * i)) & 0xFF;
    hash_ *= 0x100000001b3ULL;  // FNV-1a 64-bit prime
  }
}

void Trace::Add(TimeNs time, TraceKind kind, uint64_t node, uint64_t a, uint64_t b, uint64_t c,
                const std::string& text) {
  Mix(time);
  Mix(static_cast<uint64_t>(kind));
  Mix(node);
  Mix(a);
  Mix(b);
  Mix(c);
  ++events_;
  if (keep_hash_history_) hash_history_.push_back(hash_);
  if (keep_lines_) {
    lines_.push_back(node == 0 ? fmt::format("{:>14}      {}", FormatTime(time), text)
                               : fmt::format("{:>14} n{:<3} {}", FormatTime(time), node, text));
  }
}

std::string Trace::FormatTime(TimeNs t) {
  return fmt::format("{}.{:06}s", t / kSecond, (t % kSecond) / kMicrosecond);
}

}  // namespace raftlab::sim
