#pragma once

// ISO 8601 timestamps as SDKs send them, to and from milliseconds since the Unix epoch (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::api {

// Accepts what real SDKs send: "2024-01-02T03:04:05.678Z" (JS, Kotlin), microseconds with
// "+00:00" (Python), nanoseconds with an offset (Go), a date alone (Ruby Date), no zone at all
// (naive Python datetime: UTC), and a space instead of 'T'. Fractions are truncated to
// milliseconds. Anything else, including one-digit months or days, is nullopt.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.mmmZ": always 24 characters for years 0000-9999.
inline constexpr std::size_t kTimestampLength = 24;
void format_timestamp(std::int64_t ms, char (&out)[kTimestampLength]);
std::string format_timestamp(std::int64_t ms);

}  // namespace sluice::api
