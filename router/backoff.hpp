#pragma once

// Exponential backoff with full jitter: the pause before retry n (n = 1 for the first retry) is
// uniform in [0, min(retry_max, retry_initial * 2^(n-1))], so that many destinations failing
// together do not retry in lockstep. A Retry-After from the destination raises the pause to at
// least that long, still capped at retry_max so the operator's bound holds.
//
// Not thread-safe; one per delivery loop.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace sluice::router {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);

  std::chrono::milliseconds delay(std::uint64_t retry,
                                  std::optional<std::chrono::milliseconds> retry_after = {});

  // The upper bound that delay(retry) draws from.
  std::chrono::milliseconds cap(std::uint64_t retry) const;

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::mt19937_64 random_;
};

// A seed for the Backoff of one user (index) of destination name: random, and different for
// every lane of a destination, so that they do not retry in lockstep either.
std::uint64_t backoff_seed(const std::string& name, std::size_t index);

}  // namespace sluice::router
