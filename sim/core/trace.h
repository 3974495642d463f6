// Trace: a record of everything that happens in a run, hashed as it is
// produced (64-bit FNV-1a over a fixed binary encoding, so the hash does not
// depend on formatting), and optionally rendered as human-readable lines,
// one per event with time, node, role and term: kept in memory, streamed to
// a TraceSink as they are produced (bounded memory for long runs), or both.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/core/event_queue.h"

namespace raftlab::sim {

enum class TraceKind : uint8_t {
  kSend, kDeliver, kDrop, kDuplicate, kFault, kPersist, kFsync, kApply, kRole,
  kInvoke, kReturn, kNote,
};

// Receives each rendered line as the event happens.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // `line` has no trailing newline and is valid only during the call.
  virtual void Write(std::string_view line) = 0;
};

// Writes each line and a newline to a stream: the same bytes as writing the
// kept lines one per line after the run.
class StreamTraceSink : public TraceSink {
 public:
  // `out` must outlive the sink.
  explicit StreamTraceSink(std::ostream* out) : out_(out) {}
  void Write(std::string_view line) override { *out_ << line << '\n'; }

 private:
  std::ostream* out_;
};

class Trace {
 public:
  // `sink` (may be null) must outlive the trace.
  explicit Trace(bool keep_lines, TraceSink* sink = nullptr)
      : keep_lines_(keep_lines), sink_(sink) {}

  // Adds an event: `a`..`c` are its numeric facts (hashed); `text` is only
  // rendered, never hashed, so wording changes do not change the hash.
  void Add(TimeNs time, TraceKind kind, uint64_t node, uint64_t a, uint64_t b, uint64_t c,
           std::string_view text) {
    Record(time, kind, node, a, b, c);
    if (rendering()) Render(time, node, text);
  }
  // The same with the text built by `text()` only if a line is rendered:
  // sweeps and benchmarks keep no lines, and formatting every message was
  // most of their cost.
  template <class TextFn>
    requires std::is_invocable_r_v<std::string, TextFn&>
  void Add(TimeNs time, TraceKind kind, uint64_t node, uint64_t a, uint64_t b, uint64_t c,
           TextFn&& text) {
    Record(time, kind, node, a, b, c);
    if (rendering()) Render(time, node, text());
  }

  uint64_t hash() const { return hash_; }
  uint64_t events() const { return events_; }
  const std::vector<std::string>& lines() const { return lines_; }  // when keep_lines
  // The event count and hash after each event, for finding the first divergence.
  const std::vector<uint64_t>& hash_history() const { return hash_history_; }
  void set_keep_hash_history(bool keep) { keep_hash_history_ = keep; }

  static std::string FormatTime(TimeNs t);  // "12.345678s"

 private:
  bool rendering() const { return keep_lines_ || sink_ != nullptr; }
  void Record(TimeNs time, TraceKind kind, uint64_t node, uint64_t a, uint64_t b, uint64_t c);
  void Render(TimeNs time, uint64_t node, std::string_view text);
  void Mix(uint64_t v);

  bool keep_lines_;
  TraceSink* sink_;
  bool keep_hash_history_ = false;
  uint64_t hash_ = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  uint64_t events_ = 0;
  std::vector<std::string> lines_;
  std::vector<uint64_t> hash_history_;
};

}  // namespace raftlab::sim
