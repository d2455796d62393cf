#pragma once

// What a webhook's HTTP answer means for the batch: 2xx acknowledges it; 408, 429 and 5xx are
// worth retrying (after Retry-After, when the server sent one); 3xx and the other 4xx will not
// change by retrying (redirects are not followed: the URL should name the endpoint itself), so
// the batch is dead-lettered. Pure functions, no I/O.

#include <chrono>
#include <optional>
#include <string_view>

#include "router/destination.hpp"

namespace sluice::router {

// The longest pause a Retry-After can ask for; the delivery loop caps it again at retry_max.
inline constexpr std::chrono::milliseconds kMaxRetryAfter = std::chrono::hours(1);

// The result for an answer with status; reason "http_<status>". retry_after is the answer's
// Retry-After header (empty when absent), body_prefix the first bytes of its body, which go into
// the detail. now is the time the answer arrived, for Retry-After dates.
DeliveryResult result_for_status(unsigned status, std::string_view retry_after,
                                 std::string_view body_prefix,
                                 std::chrono::system_clock::time_point now);

// A Retry-After value (RFC 9110 10.2.3): delta-seconds or an HTTP-date (IMF-fixdate, or the
// obsolete RFC 850 and asctime forms), as the pause from now, between 0 (a date in the past)
// and kMaxRetryAfter. nullopt when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace sluice::router
