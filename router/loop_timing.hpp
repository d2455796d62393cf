#pragma once

// Timing of a delivery loop that the config does not expose; tests shorten it.

#include <chrono>
#include <cstddef>

namespace sluice::router {

struct LoopTiming {
  // How long an idle loop waits before ticking its destinations (Destination::tick()); also
  // the longest a pause, resume or replay waits to be noticed.
  std::chrono::milliseconds idle_tick{1000};
  // Saving a cursor that only moved over filtered-out events is done at most this often (and
  // at stop): losing such a save costs a re-scan, not a duplicate delivery.
  std::chrono::milliseconds skip_save_interval{1000};
  // Records per RecordLog::read() call: bounds the work between checks of stop and deadlines.
  std::size_t read_chunk = 4096;
};

}  // namespace sluice::router
