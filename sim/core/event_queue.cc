#include "sim/core/event_queue.h"

#include <algorithm>

#include "core/base/check.h"

namespace raftlab::sim {

void EventQueue::At(TimeNs time, Callback cb) {
  CHECK_GE(time, now_);
  CHECK(cb);
  size_t slot = callbacks_.size();
  if (free_slots_.empty()) {
    callbacks_.push_back(std::move(cb));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    callbacks_[slot] = std::move(cb);
  }
  heap_.push_back(Event{time, seq_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later());
}

bool EventQueue::RunNext() {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later());
  const Event e = heap_.back();
  heap_.pop_back();
  CHECK_GE(e.time, now_);
  // The callback may schedule more events (and reuse its slot): move it out first.
  Callback cb = std::move(callbacks_[e.slot]);
  callbacks_[e.slot] = nullptr;
  free_slots_.push_back(e.slot);
  CHECK(cb);
  now_ = e.time;
  ++executed_;
  cb();
  return true;
}

void EventQueue::AdvanceTo(TimeNs time) {
  CHECK(heap_.empty() || heap_.front().time >= time);
  if (time > now_) now_ = time;
}

}  // namespace raftlab::sim
