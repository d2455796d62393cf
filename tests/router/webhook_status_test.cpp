#include "router/destinations/webhook_status.hpp"

#include <catch2/catch.hpp>

namespace sluice::router::test {
namespace {

using namespace std::chrono_literals;
using Kind = DeliveryResult::Kind;
using std::chrono::system_clock;

// Sun, 06 Nov 1994 08:49:37 GMT, the date RFC 9110 uses in its examples.
const system_clock::time_point kExampleDate = system_clock::from_time_t(784111777);

}  // namespace

TEST_CASE("An answer's status decides between ok, retry and dead letter", "[router][webhook]") {
  const auto now = system_clock::now();
  for (unsigned status : {200u, 201u, 202u, 204u, 299u}) {
    INFO(status);
    CHECK(result_for_status(status, "", "", now).kind == Kind::kOk);
  }
  for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u, 599u}) {
    INFO(status);
    const DeliveryResult result = result_for_status(status, "", "", now);
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "http_" + std::to_string(status));
    CHECK_FALSE(result.retry_after.has_value());
  }
  for (unsigned status : {101u, 301u, 302u, 304u, 400u, 401u, 403u, 404u, 409u, 413u, 422u}) {
    INFO(status);
    const DeliveryResult result = result_for_status(status, "", "", now);
    CHECK(result.kind == Kind::kPermanent);
    CHECK(result.reason == "http_" + std::to_string(status));
  }
  SECTION("the detail carries the body's first bytes on one line") {
    const DeliveryResult result = result_for_status(400, "", "{\"error\":\n\"bad\"}\r", now);
    CHECK(result.detail == R"(HTTP 400: {"error": "bad"} )");
  }
  SECTION("Retry-After counts on the statuses that retry") {
    CHECK(result_for_status(503, "7", "", now).retry_after == 7s);
    CHECK(result_for_status(429, " 1 ", "", now).retry_after == 1s);
  }
}

TEST_CASE("Retry-After is delta-seconds or an HTTP-date", "[router][webhook]") {
  SECTION("delta-seconds, capped") {
    CHECK(parse_retry_after("0", kExampleDate) == 0ms);
    CHECK(parse_retry_after("120", kExampleDate) == 120s);
    CHECK(parse_retry_after("999999", kExampleDate) == kMaxRetryAfter);
    CHECK(parse_retry_after("99999999999999999999999", kExampleDate) == kMaxRetryAfter);
  }
  SECTION("the three HTTP-date forms") {
    const auto before = kExampleDate - 90s;
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", before) == 90s);
    CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", before) == 90s);
    CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", before) == 90s);
  }
  SECTION("a date in the past means now; one far ahead is capped") {
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 1h) == 0ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate - 24h) == kMaxRetryAfter);
  }
  SECTION("anything else is ignored") {
    for (const char* value : {"", "  ", "-1", "1.5", "soon", "10s", "Sun, 06 Nov 1994 08:49:37",
                              "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"}) {
      INFO(value);
      CHECK_FALSE(parse_retry_after(value, kExampleDate).has_value());
    }
  }
}

}  // namespace sluice::router::test
