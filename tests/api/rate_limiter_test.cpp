#include "api/rate_limiter.hpp"

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const RateLimiter::Clock::time_point kStart{seconds(1000)};

TEST_CASE("A rate limiter passes a full burst, then refuses until tokens come back", "[api]") {
  RateLimiter limiter(10, 20, kStart);
  CHECK(limiter.try_take(15, kStart).allowed);
  CHECK(limiter.try_take(5, kStart).allowed);
  SECTION("an empty bucket refuses and says how long to wait") {
    const RateLimiter::Decision refused = limiter.try_take(20, kStart);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after == seconds(2));  // 20 events at 10 per second
  }
  SECTION("the bucket refills at the rate") {
    CHECK_FALSE(limiter.try_take(6, kStart + milliseconds(500)).allowed);
    CHECK(limiter.try_take(5, kStart + milliseconds(500)).allowed);
  }
  SECTION("a refused request takes nothing") {
    CHECK_FALSE(limiter.try_take(10, kStart + milliseconds(900)).allowed);
    CHECK(limiter.try_take(9, kStart + milliseconds(900)).allowed);
  }
  SECTION("tokens given back can be taken again, up to the burst") {
    limiter.give_back(5);
    CHECK(limiter.try_take(5, kStart).allowed);
    CHECK_FALSE(limiter.try_take(1, kStart).allowed);
    limiter.give_back(100);
    CHECK(limiter.try_take(20, kStart).allowed);
    CHECK_FALSE(limiter.try_take(1, kStart).allowed);
  }
  SECTION("the bucket never holds more than its burst") {
    CHECK(limiter.try_take(20, kStart + seconds(60)).allowed);
    CHECK_FALSE(limiter.try_take(1, kStart + seconds(60)).allowed);
  }
}

TEST_CASE("A rate limiter's wait is whole seconds, at least one", "[api]") {
  RateLimiter limiter(1000, 1000, kStart);
  REQUIRE(limiter.try_take(1000, kStart).allowed);
  SECTION("a wait of a few milliseconds is one second") {
    const RateLimiter::Decision refused = limiter.try_take(1, kStart);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after == seconds(1));
  }
  SECTION("a slow rate rounds up") {
    RateLimiter slow(0.4, 1, kStart);
    REQUIRE(slow.try_take(1, kStart).allowed);
    CHECK(slow.try_take(1, kStart).retry_after == seconds(3));  // 2.5 s
  }
}

TEST_CASE("A rate limiter ignores a clock reading older than its last", "[api]") {
  RateLimiter limiter(10, 10, kStart);
  REQUIRE(limiter.try_take(10, kStart + seconds(1)).allowed);
  // Another thread read the clock earlier and took the lock later.
  CHECK_FALSE(limiter.try_take(1, kStart).allowed);
  CHECK(limiter.try_take(1, kStart + milliseconds(1100)).allowed);
}

TEST_CASE("A rate limiter knows which requests can never pass", "[api]") {
  const RateLimiter limiter(5, 100, kStart);
  CHECK_FALSE(limiter.exceeds_burst(100));
  CHECK(limiter.exceeds_burst(101));
}

}  // namespace
}  // namespace sluice::api
