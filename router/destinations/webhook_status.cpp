#include "router/destinations/webhook_status.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

namespace sluice::router {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool should_retry(unsigned status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

// "HTTP 503: <body>", the body cut short and stripped of control characters so that it reads as
// one line in a log or a dead letter.
std::string describe(unsigned status, std::string_view body_prefix) {
  std::string out = "HTTP " + std::to_string(status);
  if (body_prefix.empty()) return out;
  out += ": ";
  for (char c : body_prefix) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  return out;
}

std::optional<milliseconds> parse_delta_seconds(std::string_view value) {
  std::uint64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (end != value.data() + value.size()) return std::nullopt;
  // Too many digits to count: as long as the longest pause anyway.
  if (ec == std::errc::result_out_of_range) return kMaxRetryAfter;
  if (ec != std::errc()) return std::nullopt;
  if (seconds >= static_cast<std::uint64_t>(
                     std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count())) {
    return kMaxRetryAfter;
  }
  return std::chrono::seconds(seconds);
}

int month_index(const char* name) {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// An HTTP-date in any of its three forms, as a time. The obsolete forms are rare, but RFC 9110
// requires recipients to accept them.
std::optional<system_clock::time_point> parse_http_date(std::string_view value,
                                                        system_clock::time_point now) {
  const std::string text(value);
  char weekday[10] = {};
  char month[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int consumed = -1;
  const int length = static_cast<int>(text.size());
  const auto matched = [&](int fields, int expected) {
    return fields == expected && consumed == length;
  };

  bool parsed = false;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  parsed = matched(std::sscanf(text.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n",
                               weekday, &day, month, &year, &hour, &minute, &second, &consumed),
                   7);
  if (!parsed) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    consumed = -1;
    parsed = matched(std::sscanf(text.c_str(), "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n",
                                 weekday, &day, month, &year, &hour, &minute, &second, &consumed),
                     7);
    if (parsed) {
      // A two-digit year more than 50 years ahead is the last such year in the past.
      const std::time_t today = system_clock::to_time_t(now);
      std::tm utc{};
      gmtime_r(&today, &utc);
      year += 2000;
      if (year > utc.tm_year + 1900 + 50) year -= 100;
    }
  }
  if (!parsed) {
    // asctime: Sun Nov  6 08:49:37 1994
    consumed = -1;
    parsed = matched(std::sscanf(text.c_str(), "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n",
                                 weekday, month, &day, &hour, &minute, &second, &year, &consumed),
                     7);
  }
  const int month_number = month_index(month);
  if (!parsed || month_number < 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || year < 1970) {
    return std::nullopt;
  }
  std::tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month_number;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  return system_clock::from_time_t(timegm(&utc));
}

}  // namespace

DeliveryResult result_for_status(unsigned status, std::string_view retry_after,
                                 std::string_view body_prefix, system_clock::time_point now) {
  if (status >= 200 && status <= 299) return DeliveryResult::ok();
  std::string reason = "http_" + std::to_string(status);
  if (should_retry(status)) {
    return DeliveryResult::retry(std::move(reason), describe(status, body_prefix),
                                 parse_retry_after(retry_after, now));
  }
  return DeliveryResult::permanent(std::move(reason), describe(status, body_prefix));
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) return parse_delta_seconds(value);
  const std::optional<system_clock::time_point> date = parse_http_date(value, now);
  if (!date) return std::nullopt;
  if (*date <= now) return milliseconds(0);
  return std::min(std::chrono::ceil<milliseconds>(*date - now), kMaxRetryAfter);
}

}  // namespace sluice::router
