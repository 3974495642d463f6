#include "sim/core/trace.h"

#include <array>
#include <bit>

#include <fmt/format.h>

namespace raftlab::sim {
namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;  // FNV-1a 64-bit

// kFnvPrimePowers[k] = kFnvPrime^k mod 2^64: k FNV-1a steps over zero bytes
// (h ^ 0 == h) are one multiplication by it.
constexpr std::array<uint64_t, 9> kFnvPrimePowers = [] {
  std::array<uint64_t, 9> powers{};
  powers[0] = 1;
  for (size_t k = 1; k < powers.size(); ++k) powers[k] = powers[k - 1] * kFnvPrime;
  return powers;
}();
static_assert(kFnvPrimePowers[1] == kFnvPrime);

}  // namespace

// FNV-1a over the 8 little-endian bytes of v. The hash is a serial chain of
// 48 multiplications per event, which made it a tenth of a sweep's time;
// most values are small, so their zero high bytes are folded into one
// multiplication. The result is bit-identical to the byte loop.
void Trace::Mix(uint64_t v) {
  const int bytes = (64 - std::countl_zero(v) + 7) / 8;
  for (int i = 0; i < bytes; ++i) {
    hash_ ^= (v >> (8 * i)) & 0xFF;
    hash_ *= kFnvPrime;
  }
  hash_ *= kFnvPrimePowers[8 - bytes];
}

void Trace::Record(TimeNs time, TraceKind kind, uint64_t node, uint64_t a, uint64_t b,
                   uint64_t c) {
  Mix(time);
  Mix(static_cast<uint64_t>(kind));
  Mix(node);
  Mix(a);
  Mix(b);
  Mix(c);
  ++events_;
  if (keep_hash_history_) hash_history_.push_back(hash_);
}

void Trace::Render(TimeNs time, uint64_t node, std::string_view text) {
  std::string line = node == 0 ? fmt::format("{:>14}      {}", FormatTime(time), text)
                               : fmt::format("{:>14} n{:<3} {}", FormatTime(time), node, text);
  if (sink_ != nullptr) sink_->Write(line);
  if (keep_lines_) lines_.push_back(std::move(line));
}

std::string Trace::FormatTime(TimeNs t) {
  return fmt::format("{}.{:06}s", t / kSecond, (t % kSecond) / kMicrosecond);
}

}  // namespace raftlab::sim
