#include "bench/sluice_bench/open_loop_schedule.hpp"

#include <catch2/catch.hpp>

namespace sluice::bench {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kOrigin = Clock::time_point(1h);

TEST_CASE("OpenLoopSchedule spaces slots by the rate from its origin", "[bench]") {
  const OpenLoopSchedule schedule(kOrigin, 4000, 1ms);
  CHECK(schedule.slot(0) == kOrigin);
  CHECK(schedule.slot(1) == kOrigin + 250us);
  CHECK(schedule.slot(4000) == kOrigin + 1s);
}

TEST_CASE("OpenLoopSchedule wakes at the start of a slot's pacing step", "[bench]") {
  const OpenLoopSchedule schedule(kOrigin, 4000, 1ms);
  // Slots 0-3 share the first step, 4-7 the second.
  for (std::uint64_t index = 0; index < 4; ++index) {
    INFO(index);
    CHECK(schedule.wake_time(schedule.slot(index)) == kOrigin);
    CHECK(schedule.wake_time(schedule.slot(index + 4)) == kOrigin + 1ms);
  }
  // Never after the slot, never more than one step before it.
  for (std::uint64_t index = 0; index < 10'000; index += 7) {
    const Clock::time_point slot = schedule.slot(index);
    const Clock::time_point wake = schedule.wake_time(slot);
    INFO(index);
    CHECK(wake <= slot);
    CHECK(slot - wake < 1ms);
  }
}

TEST_CASE("OpenLoopSchedule without pacing wakes at each slot's time", "[bench]") {
  const OpenLoopSchedule schedule(kOrigin, 4000, Clock::duration::zero());
  CHECK(schedule.wake_time(schedule.slot(3)) == schedule.slot(3));
  // A time before the origin is left as it is, also with pacing.
  const OpenLoopSchedule paced(kOrigin, 4000, 1ms);
  CHECK(paced.wake_time(kOrigin - 300us) == kOrigin - 300us);
}

TEST_CASE("OpenLoopSchedule counts the slots due by a time", "[bench]") {
  const OpenLoopSchedule schedule(kOrigin, 4000, 1ms);
  CHECK(schedule.slots_due_by(kOrigin - 1us) == 0);
  CHECK(schedule.slots_due_by(kOrigin) == 1);
  CHECK(schedule.slots_due_by(kOrigin + 249us) == 1);
  CHECK(schedule.slots_due_by(kOrigin + 250us) == 2);
  CHECK(schedule.slots_due_by(kOrigin + 1s) == 4001);
}

}  // namespace
}  // namespace sluice::bench
