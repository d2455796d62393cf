#pragma once

// The current UTC time as the SDKs write it, "2026-11-29T20:39:29.025Z", for every event's
// timestamp. The date and time up to the second are formatted once per second and reused, so
// the per-event cost is a clock read and three digits.
//
// One per thread (it keeps the cached second); not thread-safe.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace sluice::bench {

class UtcTimestamp {
 public:
  // The time now; valid until the next call.
  std::string_view now() { return format(std::chrono::system_clock::now()); }
  std::string_view format(std::chrono::system_clock::time_point time);

  static constexpr std::size_t kLength = 24;  // YYYY-MM-DDTHH:MM:SS.mmmZ

 private:
  std::int64_t cached_second_ = INT64_MIN;
  char text_[kLength + 1] = {};
};

}  // namespace sluice::bench
