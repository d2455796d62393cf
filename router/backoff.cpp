#include "router/backoff.hpp"

#include <algorithm>
#include <functional>

namespace sluice::router {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds Backoff::cap(std::uint64_t retry) const {
  std::chrono::milliseconds cap = initial_;
  // Doubling stops at max_, so the product never overflows whatever retry is.
  for (std::uint64_t n = 1; n < retry && cap < max_; ++n) cap = std::min(cap * 2, max_);
  return cap;
}

std::chrono::milliseconds Backoff::delay(std::uint64_t retry,
                                         std::optional<std::chrono::milliseconds> retry_after) {
  std::uniform_int_distribution<std::int64_t> uniform(0, cap(retry).count());
  std::chrono::milliseconds pause(uniform(random_));
  if (retry_after) pause = std::max(pause, std::min(*retry_after, max_));
  return pause;
}

std::uint64_t backoff_seed(const std::string& name, std::size_t index) {
  return (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
         std::hash<std::string>{}(name) ^ index;
}

}  // namespace sluice::router
