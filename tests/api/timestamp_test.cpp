#include "api/timestamp.hpp"

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

// 2024-01-02T03:04:05.678Z, computed independently of the code under test.
constexpr std::int64_t kJan2At030405678 = 1704164645678;
constexpr std::int64_t kJan2Midnight = 1704153600000;

TEST_CASE("parse_timestamp accepts the formats SDKs send", "[api]") {
  SECTION("milliseconds with Z (JavaScript, Kotlin)") {
    CHECK(parse_timestamp("2024-01-02T03:04:05.678Z") == kJan2At030405678);
  }
  SECTION("microseconds with +00:00 (Python), truncated to milliseconds") {
    CHECK(parse_timestamp("2024-01-02T03:04:05.678901+00:00") == kJan2At030405678);
  }
  SECTION("nanoseconds with a negative offset (Go)") {
    // 03:04:05.123 at UTC-7 is 10:04:05.123 UTC.
    CHECK(parse_timestamp("2024-01-02T03:04:05.123456789-07:00") == 1704189845123);
  }
  SECTION("a positive offset without a colon") {
    CHECK(parse_timestamp("2024-01-02T03:04:05+0530") == 1704144845000);
  }
  SECTION("a date alone (Ruby Date) is midnight UTC") {
    CHECK(parse_timestamp("2024-01-02") == kJan2Midnight);
    CHECK(parse_timestamp("2024-02-29") == 1709164800000);
  }
  SECTION("no zone (naive Python datetime) is UTC") {
    CHECK(parse_timestamp("2024-01-02T03:04:05.678") == kJan2At030405678);
  }
  SECTION("a space instead of T") {
    CHECK(parse_timestamp("2024-01-02 03:04:05.678Z") == kJan2At030405678);
  }
  SECTION("lowercase z and t") {
    CHECK(parse_timestamp("2024-01-02t03:04:05.678z") == kJan2At030405678);
  }
  SECTION("one or two fraction digits are scaled, not read as milliseconds") {
    CHECK(parse_timestamp("2024-01-02T03:04:05.6Z") == kJan2At030405678 - 78);
    CHECK(parse_timestamp("2024-01-02T03:04:05.67Z") == kJan2At030405678 - 8);
  }
  SECTION("no seconds") {
    CHECK(parse_timestamp("2024-01-02T03:04Z") == kJan2At030405678 - 5678);
  }
}

TEST_CASE("parse_timestamp rejects what is not a valid date and time", "[api]") {
  SECTION("one-digit month (Segment's own doc example)") {
    CHECK_FALSE(parse_timestamp("2015-2-02T10:00:00Z").has_value());
  }
  SECTION("one-digit day") {
    CHECK_FALSE(parse_timestamp("2015-02-2T10:00:00Z").has_value());
  }
  SECTION("month 13") {
    CHECK_FALSE(parse_timestamp("2024-13-01T00:00:00Z").has_value());
  }
  SECTION("February 30") {
    CHECK_FALSE(parse_timestamp("2024-02-30").has_value());
  }
  SECTION("February 29 of a common year") {
    CHECK_FALSE(parse_timestamp("2023-02-29").has_value());
  }
  SECTION("hour 24 and minute 60") {
    CHECK_FALSE(parse_timestamp("2024-01-02T24:00:00Z").has_value());
    CHECK_FALSE(parse_timestamp("2024-01-02T10:60:00Z").has_value());
  }
  SECTION("garbage") {
    CHECK_FALSE(parse_timestamp("yesterday").has_value());
    CHECK_FALSE(parse_timestamp("1704164645678").has_value());
  }
  SECTION("empty") {
    CHECK_FALSE(parse_timestamp("").has_value());
  }
  SECTION("trailing text after the zone") {
    CHECK_FALSE(parse_timestamp("2024-01-02T03:04:05Zjunk").has_value());
    CHECK_FALSE(parse_timestamp("2024-01-02T03:04:05+00:00x").has_value());
  }
  SECTION("a dot without fraction digits") {
    CHECK_FALSE(parse_timestamp("2024-01-02T03:04:05.Z").has_value());
  }
  SECTION("a truncated time") {
    CHECK_FALSE(parse_timestamp("2024-01-02T03").has_value());
    CHECK_FALSE(parse_timestamp("2024-01-02T").has_value());
  }
}

TEST_CASE("format_timestamp writes UTC with milliseconds", "[api]") {
  SECTION("a recent instant") {
    CHECK(format_timestamp(kJan2At030405678) == "2024-01-02T03:04:05.678Z");
  }
  SECTION("the epoch") {
    CHECK(format_timestamp(0) == "1970-01-01T00:00:00.000Z");
  }
  SECTION("one millisecond before the epoch") {
    CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999Z");
  }
  SECTION("a whole day before the epoch") {
    CHECK(format_timestamp(-86'400'000) == "1969-12-31T00:00:00.000Z");
  }
  SECTION("the end of 2099") {
    CHECK(format_timestamp(4102444799999) == "2099-12-31T23:59:59.999Z");
  }
  SECTION("the fixed-size overload writes the same 24 characters") {
    char out[kTimestampLength];
    format_timestamp(kJan2At030405678, out);
    CHECK(std::string(out, kTimestampLength) == "2024-01-02T03:04:05.678Z");
  }
}

TEST_CASE("format_timestamp and parse_timestamp round-trip", "[api]") {
  const std::int64_t instant =
      GENERATE(std::int64_t{0}, std::int64_t{-1}, kJan2At030405678, std::int64_t{-2208988800000},
               std::int64_t{4102444799999}, std::int64_t{951782400123});  // 2000-02-29
  const std::string text = format_timestamp(instant);
  INFO(text);
  CHECK(text.size() == kTimestampLength);
  CHECK(parse_timestamp(text) == instant);
}

}  // namespace
}  // namespace sluice::api
