#include "sim/core/event_queue.h"

#include "core/base/check.h"

namespace raftlab::sim {

void EventQueue::At(TimeNs time, Callback cb) {
  CHECK_GE(time, now_);
  heap_.push(Event{time, seq_++, std::move(cb)});
}

bool EventQueue::RunNext() {
  if (heap_.empty()) return false;
  // The callback may schedule more events: move it out before popping.
  Event e = std::move(const_cast<Event&>(heap_.top()));
  heap_.pop();
  CHECK_GE(e.time, now_);
  now_ = e.time;
  ++executed_;
  e.cb();
  return true;
}

void EventQueue::AdvanceTo(TimeNs time) {
  CHECK(heap_.empty() || heap_.top().time >= time);
  if (time > now_) now_ = time;
}

}  // namespace raftlab::sim
