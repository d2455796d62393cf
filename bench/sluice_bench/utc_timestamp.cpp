#include "bench/sluice_bench/utc_timestamp.hpp"

#include <ctime>

namespace sluice::bench {
namespace {

// Writes the low `width` decimal digits of value (0 <= value) at out.
void put_digits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string_view UtcTimestamp::format(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const std::int64_t millis = duration_cast<milliseconds>(time.time_since_epoch()).count();
  // Floor division: times before 1970 are not expected, but must not print garbage either.
  std::int64_t second = millis / 1000;
  std::int64_t milli = millis % 1000;
  if (milli < 0) {
    milli += 1000;
    --second;
  }
  if (second != cached_second_) {
    const std::time_t seconds = static_cast<std::time_t>(second);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    put_digits(text_, parts.tm_year + 1900, 4);
    text_[4] = '-';
    put_digits(text_ + 5, parts.tm_mon + 1, 2);
    text_[7] = '-';
    put_digits(text_ + 8, parts.tm_mday, 2);
    text_[10] = 'T';
    put_digits(text_ + 11, parts.tm_hour, 2);
    text_[13] = ':';
    put_digits(text_ + 14, parts.tm_min, 2);
    text_[16] = ':';
    put_digits(text_ + 17, parts.tm_sec, 2);
    text_[19] = '.';
    text_[23] = 'Z';
    cached_second_ = second;
  }
  put_digits(text_ + 20, static_cast<int>(milli), 3);
  return std::string_view(text_, kLength);
}

}  // namespace sluice::bench
