// EventQueue: the simulator's only notion of time. Events run in order of
// (time, insertion sequence): equal times run first-in first-out, so a run
// is a pure function of the seed. Time is an integer count of nanoseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace raftlab::sim {

using TimeNs = uint64_t;
inline constexpr TimeNs kMicrosecond = 1000;
inline constexpr TimeNs kMillisecond = 1000 * kMicrosecond;
inline constexpr TimeNs kSecond = 1000 * kMillisecond;

class EventQueue {
 public:
  using Callback = std::function<void()>;

  // Schedules `cb` at `time`. REQUIRES: time >= now().
  void At(TimeNs time, Callback cb);
  void After(TimeNs delay, Callback cb) { At(now_ + delay, std::move(cb)); }
  // Runs the earliest event; returns false if there is none.
  bool RunNext();
  // Moves time forward to `time` (no event may be due before it), so a run
  // with nothing scheduled still reaches its deadlines.
  void AdvanceTo(TimeNs time);
  TimeNs now() const { return now_; }
  TimeNs next_time() const { return heap_.empty() ? now_ : heap_.front().time; }
  size_t size() const { return heap_.size(); }
  uint64_t executed() const { return executed_; }

 private:
  // The heap orders small plain keys; the callbacks stay put in slots. Moving
  // a std::function at every sift step was a tenth of a run's time.
  struct Event {
    TimeNs time;
    uint64_t seq;
    size_t slot;  // index into callbacks_
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  std::vector<Event> heap_;         // Invariant: a heap under Later (earliest first)
  std::vector<Callback> callbacks_;  // by slot; empty when the slot is free
  std::vector<size_t> free_slots_;
  TimeNs now_ = 0;
  uint64_t seq_ = 0;
  uint64_t executed_ = 0;
};

}  // namespace raftlab::sim
