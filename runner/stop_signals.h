// SIGTERM and SIGINT, delivered to one waiting thread.
//
// A process that runs worker threads must block the stop signals before the
// first thread starts, so every thread inherits the mask and no worker is
// interrupted; one thread then waits for them with WaitForStopSignal and
// ends the process cleanly.
#pragma once

#include <csignal>

namespace raftlab::runner {

// Blocks SIGTERM and SIGINT in the calling thread (and so in every thread it
// starts afterwards) and returns that set.
sigset_t BlockStopSignals();

// Waits until one of `signals` arrives; returns its number.
int WaitForStopSignal(const sigset_t& signals);

}  // namespace raftlab::runner
