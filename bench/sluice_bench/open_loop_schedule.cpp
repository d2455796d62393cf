#include "bench/sluice_bench/open_loop_schedule.hpp"

#include <cmath>

namespace sluice::bench {

OpenLoopSchedule::OpenLoopSchedule(Clock::time_point origin, double rate, Clock::duration pacing)
    : origin_(origin), rate_(rate), pacing_(pacing) {}

Clock::time_point OpenLoopSchedule::slot(std::uint64_t index) const {
  const std::chrono::duration<double> offset(static_cast<double>(index) / rate_);
  return origin_ + std::chrono::duration_cast<Clock::duration>(offset);
}

Clock::time_point OpenLoopSchedule::wake_time(Clock::time_point slot) const {
  if (pacing_ <= Clock::duration::zero() || slot <= origin_) return slot;
  return slot - (slot - origin_) % pacing_;
}

std::uint64_t OpenLoopSchedule::slots_due_by(Clock::time_point end) const {
  if (end < origin_) return 0;
  const double seconds = std::chrono::duration<double>(end - origin_).count();
  return static_cast<std::uint64_t>(std::floor(seconds * rate_)) + 1;
}

}  // namespace sluice::bench
