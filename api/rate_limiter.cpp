#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sluice::api {

RateLimiter::RateLimiter(double events_per_second, std::uint64_t burst, Clock::time_point now)
    : events_per_second_(events_per_second),
      burst_(burst),
      tokens_(static_cast<double>(burst)),
      refilled_at_(now) {}

RateLimiter::Decision RateLimiter::try_take(std::uint64_t events, Clock::time_point now) {
  // The caller refuses such a request before asking: no wait would ever make it pass.
  assert(!exceeds_burst(events));
  const double wanted = static_cast<double>(events);
  MutexLock lock(mutex_);
  // IO threads read the clock before taking the lock, so a later caller may bring an earlier
  // time: time never runs backwards for the bucket.
  if (now > refilled_at_) {
    const std::chrono::duration<double> elapsed = now - refilled_at_;
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed.count() * events_per_second_);
    refilled_at_ = now;
  }
  if (tokens_ >= wanted) {
    tokens_ -= wanted;
    return Decision{true, std::chrono::seconds(0)};
  }
  const double wait = (wanted - tokens_) / events_per_second_;
  const auto seconds = static_cast<std::int64_t>(std::ceil(wait));
  return Decision{false, std::chrono::seconds(std::max<std::int64_t>(1, seconds))};
}

void RateLimiter::give_back(std::uint64_t events) {
  MutexLock lock(mutex_);
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + static_cast<double>(events));
}

}  // namespace sluice::api
