// Nemesis: the random fault generator. Every interval (drawn from its own
// Prng stream) it draws a fault kind, a target — the current leader one
// time in three, else a node by name — and a duration, and hands the event
// to the FaultInjector, which fires it and undoes it when it ends.
#pragma once

#include "core/base/prng.h"
#include "sim/config.h"
#include "sim/fault_injector.h"

namespace raftlab::sim {

class Nemesis {
 public:
  Nemesis(const NemesisModel& model, int nodes, Prng prng, EventQueue* queue,
          FaultInjector* injector)
      : model_(model), nodes_(nodes), prng_(prng), queue_(queue), injector_(injector) {}

  void Start();
  void Stop() { on_ = false; }

 private:
  void ScheduleNext();
  FaultEvent Draw();
  std::string Target();

  NemesisModel model_;
  int nodes_;
  Prng prng_;
  EventQueue* queue_;
  FaultInjector* injector_;
  bool on_ = false;
};

}  // namespace raftlab::sim
