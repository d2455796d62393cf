#pragma once

// The fixed schedule of one worker's open loop: slot k is due at origin + k / rate.
//
// A connection waiting for its slot does not wake at the slot's exact time but at the start
// of the pacing step that holds it, so the worker's connections whose slots share a step wake
// together: one wake-up a step instead of one a request. On a virtual machine a wake-up from
// idle costs tens of microseconds of CPU, which the generator would otherwise take from the
// server it measures. A request sent ahead of its slot is timed from the moment it is sent,
// so pacing never shortens a measured latency; a late one is timed from its slot.

#include <chrono>
#include <cstdint>

#include "bench/sluice_bench/io_types.hpp"

namespace sluice::bench {

class OpenLoopSchedule {
 public:
  // rate: slots per second (> 0); pacing: the step, zero for a wake-up at each slot's time.
  OpenLoopSchedule(Clock::time_point origin, double rate, Clock::duration pacing);

  Clock::time_point slot(std::uint64_t index) const;
  // When a connection should wake to send `slot`: the start of its pacing step, never later
  // than the slot and never earlier than the origin.
  Clock::time_point wake_time(Clock::time_point slot) const;
  // How many slots are due at or before `end` (0 before the origin).
  std::uint64_t slots_due_by(Clock::time_point end) const;

 private:
  Clock::time_point origin_;
  double rate_;
  Clock::duration pacing_;
};

}  // namespace sluice::bench
