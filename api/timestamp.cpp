#include "api/timestamp.hpp"

#include <chrono>
#include <cstring>
#include <limits>

namespace sluice::api {
namespace {

// Reads exactly `count` ASCII digits at text[pos]; false if any is missing.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  int year, month, day;
  if (!read_digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                   std::chrono::day{unsigned(day)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  std::int64_t ms = days * 86'400'000;
  if (text.size() == 10) return ms;

  std::size_t pos = 10;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  int hour, minute, second = 0;
  if (!read_digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
      !read_digits(text, pos + 4, 2, minute)) {
    return std::nullopt;
  }
  pos += 6;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_digits(text, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
  }
  // 23:59:60 is a leap second some clocks report; it folds into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  ms += (hour * 3600 + minute * 60 + second) * std::int64_t{1000};

  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    int millis = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    ms += millis;
  }

  if (pos == text.size()) return ms;  // no zone: UTC
  char zone = text[pos];
  if ((zone == 'Z' || zone == 'z') && pos + 1 == text.size()) return ms;
  if (zone != '+' && zone != '-') return std::nullopt;
  int offset_hours, offset_minutes = 0;
  if (!read_digits(text, pos + 1, 2, offset_hours)) return std::nullopt;
  pos += 3;
  if (pos < text.size()) {
    if (text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, offset_minutes)) return std::nullopt;
    pos += 2;
  }
  if (pos != text.size() || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
  std::int64_t offset_ms = (offset_hours * 60 + offset_minutes) * std::int64_t{60'000};
  return zone == '+' ? ms - offset_ms : ms + offset_ms;
}

void format_timestamp(std::int64_t ms, char (&out)[kTimestampLength]) {
  using namespace std::chrono;
  std::int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  std::int64_t in_day = ms - days * 86'400'000;
  auto put = [&out](std::size_t pos, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[pos + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  // An event's timestamps, and a request's events, nearly always fall on one day: the
  // calendar conversion is done once per day seen, per thread.
  thread_local std::int64_t cached_days = std::numeric_limits<std::int64_t>::min();
  thread_local char cached_date[10];
  if (days != cached_days) {
    year_month_day date{sys_days{std::chrono::days{days}}};
    int year = static_cast<int>(date.year());
    // Years outside 0000-9999 cannot come from parse_timestamp; clamp rather than overflow.
    put(0, year < 0 ? 0 : (year > 9999 ? 9999 : year), 4);
    out[4] = '-';
    put(5, static_cast<unsigned>(date.month()), 2);
    out[7] = '-';
    put(8, static_cast<unsigned>(date.day()), 2);
    std::memcpy(cached_date, out, sizeof cached_date);
    cached_days = days;
  } else {
    std::memcpy(out, cached_date, sizeof cached_date);
  }
  out[10] = 'T';
  put(11, in_day / 3'600'000, 2);
  out[13] = ':';
  put(14, in_day / 60'000 % 60, 2);
  out[16] = ':';
  put(17, in_day / 1000 % 60, 2);
  out[19] = '.';
  put(20, in_day % 1000, 3);
  out[23] = 'Z';
}

std::string format_timestamp(std::int64_t ms) {
  char buffer[kTimestampLength];
  format_timestamp(ms, buffer);
  return std::string(buffer, kTimestampLength);
}

}  // namespace sluice::api
