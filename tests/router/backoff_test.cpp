#include "router/backoff.hpp"

#include <catch2/catch.hpp>

namespace sluice::router {
namespace {

using namespace std::chrono_literals;

}  // namespace

TEST_CASE("Backoff caps double from retry_initial up to retry_max", "[router]") {
  Backoff backoff(200ms, 5s, 1);
  CHECK(backoff.cap(1) == 200ms);
  CHECK(backoff.cap(2) == 400ms);
  CHECK(backoff.cap(5) == 3200ms);
  CHECK(backoff.cap(6) == 5s);
  CHECK(backoff.cap(1'000'000'000) == 5s);
}

TEST_CASE("Backoff delays are jittered over the whole range up to the cap", "[router]") {
  Backoff backoff(100ms, 1s, 42);
  std::chrono::milliseconds low = 1s;
  std::chrono::milliseconds high = 0ms;
  for (int i = 0; i < 2000; ++i) {
    const auto delay = backoff.delay(3);  // cap 400ms
    REQUIRE(delay >= 0ms);
    REQUIRE(delay <= 400ms);
    low = std::min(low, delay);
    high = std::max(high, delay);
  }
  CHECK(low < 40ms);    // full jitter reaches near zero...
  CHECK(high > 360ms);  // ...and near the cap
}

TEST_CASE("Backoff honours Retry-After up to retry_max", "[router]") {
  Backoff backoff(10ms, 2s, 7);
  for (int i = 0; i < 100; ++i) {
    CHECK(backoff.delay(1, 500ms) >= 500ms);
    CHECK(backoff.delay(1, 500ms) <= 500ms);  // the jitter (<= 10ms) is below it
    CHECK(backoff.delay(1, 1h) == 2s);
  }
}

}  // namespace sluice::router
