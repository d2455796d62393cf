#pragma once

// A token bucket counted in events: one source's rate limit ([sources.settings] rate_limit).
// The bucket holds at most `burst` tokens and refills at `events_per_second`; a request of n
// events passes when n tokens are there and takes them all, or takes none and learns how long
// to wait. A request of more than `burst` events can never pass: callers ask exceeds_burst()
// first and refuse it for good rather than have the client retry forever.
//
// Shared by every IO thread serving the source. A mutex per bucket guards a few arithmetic
// operations, so threads contend only when they serve the same limited source at the same
// instant; sources without a limit have no bucket at all. The clock is passed in, so tests
// control time.

#include <chrono>
#include <cstdint>

#include "common/mutex.hpp"

namespace sluice::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // The bucket starts full.
  RateLimiter(double events_per_second, std::uint64_t burst, Clock::time_point now);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  struct Decision {
    bool allowed = false;
    // When refused: whole seconds until the bucket holds enough tokens for this request, at
    // least 1 (Retry-After and X-RateLimit-Reset).
    std::chrono::seconds retry_after{0};
  };

  // Takes `events` tokens, or none when there are fewer. events must not exceed burst().
  Decision try_take(std::uint64_t events, Clock::time_point now);
  // Puts back tokens a request took and did not use (it was answered 503 and stored nothing),
  // so that its retry is not also charged; never above burst().
  void give_back(std::uint64_t events);

  bool exceeds_burst(std::uint64_t events) const { return events > burst_; }
  std::uint64_t burst() const { return burst_; }
  double events_per_second() const { return events_per_second_; }

 private:
  const double events_per_second_;
  const std::uint64_t burst_;
  Mutex mutex_;
  double tokens_ GUARDED_BY(mutex_);
  Clock::time_point refilled_at_ GUARDED_BY(mutex_);
};

}  // namespace sluice::api
