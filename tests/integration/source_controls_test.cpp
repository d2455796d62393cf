// [sources.settings] on the real binary: a source's rate limit answers 429 with both retry
// headers and lets traffic through again once its bucket refills, its blocked events and types
// are reported and never reach the log, and its allowed_origins decide the CORS headers.

#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

constexpr std::string_view kShopKey = "shop_write_key";
constexpr std::string_view kShopOrigin = "https://shop.example.com";

// Next to the generated "website" source (no settings): "shop", limited to 2 events per second
// in a bucket of 4. track_json() names its events "Test Event", which no setting blocks.
ServerOptions shop_options() {
  ServerOptions options;
  options.extra_config = R"(
[[sources]]
name = "shop"
write_keys = ["shop_write_key"]
[sources.settings]
rate_limit = { events_per_second = 2, burst = 4 }
allowed_origins = ["https://shop.example.com"]
allowed_types = ["track", "identify"]
blocked_events = ["Debug Ping", "Internal *"]
)";
  return options;
}

class ShopFixture : public ServerFixture {
 public:
  ShopFixture() : ServerFixture(shop_options()) {}

  HttpResponse post_as_shop(std::string_view target, std::string_view body, Headers extra = {}) {
    Headers headers{{"Authorization", basic_auth(kShopKey)}, {"Content-Type", "application/json"}};
    for (auto& header : extra) headers.push_back(std::move(header));
    return client_.request("POST", target, headers, body);
  }

  double metric(std::string_view name, const std::map<std::string, std::string>& labels) {
    const HttpResponse response = client_.request("GET", "/metrics");
    REQUIRE(response.status == 200);
    return metric_value(parse_metrics(response.body), name, labels).value_or(-1);
  }
};

std::string page_json(std::string_view message_id) {
  return R"({"type":"page","messageId":")" + std::string(message_id) +
         R"(","userId":"u1","name":"Home"})";
}

TEST_CASE_METHOD(ShopFixture, "a source over its rate limit gets 429 until its bucket refills",
                 "[integration][sources]") {
  REQUIRE(post_as_shop("/v1/batch", batch_json({track_json("rl-1"), track_json("rl-2"),
                                                track_json("rl-3"), track_json("rl-4")}))
              .status == 200);

  const HttpResponse refused = post_as_shop("/v1/track", track_json("rl-refused"));
  check_error(refused, 429, "rate_limited");
  const std::string retry_after = refused.header("Retry-After");
  CHECK(retry_after == "1");
  CHECK(refused.header("X-RateLimit-Reset") == retry_after);

  // The other source has no limit.
  CHECK(client_.request("POST", "/v1/track", auth_headers(), track_json("rl-website")).status ==
        200);

  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(retry_after)) +
                              std::chrono::milliseconds(100));
  CHECK(post_as_shop("/v1/track", track_json("rl-after")).status == 200);

  const StoredLog log = stored();
  CHECK(log.count("rl-refused") == 0);
  CHECK(log.count("rl-after") == 1);
  CHECK(log.events.size() == 6);
  CHECK(metric("sluice_requests_refused_total", {{"source", "shop"}, {"reason", "rate_limited"}}) ==
        1.0);
}

TEST_CASE_METHOD(ShopFixture, "a batch bigger than the burst is refused with 400 exceeds_burst",
                 "[integration][sources]") {
  const HttpResponse refused =
      post_as_shop("/v1/batch", batch_json({track_json("b-1"), track_json("b-2"), track_json("b-3"),
                                            track_json("b-4"), track_json("b-5")}));
  check_error(refused, 400, "exceeds_burst");
  CHECK_FALSE(refused.has_header("Retry-After"));
  CHECK(stored_count() == 0);
}

TEST_CASE_METHOD(ShopFixture, "blocked events and disallowed types are reported and not stored",
                 "[integration][sources]") {
  const HttpResponse answer = post_as_shop(
      "/v1/batch",
      batch_json({track_json("be-ping", "Debug Ping"), track_json("be-kept", "Order Completed"),
                  track_json("be-test", "Internal Checkout"), page_json("be-page")}));
  REQUIRE(answer.status == 200);
  INFO(answer.body);
  CHECK_THAT(answer.body, Catch::Contains(R"({"index":0,"code":"event_blocked")") &&
                              Catch::Contains(R"({"index":2,"code":"event_blocked")") &&
                              Catch::Contains(R"({"index":3,"code":"type_not_allowed")"));
  CHECK_THAT(answer.body, !Catch::Contains(R"("index":1)"));

  const HttpResponse single = post_as_shop("/v1/track", track_json("be-single", "Debug Ping"));
  CHECK(single.status == 200);
  CHECK_THAT(single.body, Catch::Contains(R"("code":"event_blocked")"));

  // The same names from a source without settings are stored.
  REQUIRE(
      client_.request("POST", "/v1/track", auth_headers(), track_json("be-website", "Debug Ping"))
          .status == 200);

  const StoredLog log = stored();
  CHECK(log.count("be-kept") == 1);
  CHECK(log.count("be-website") == 1);
  CHECK(log.count("be-ping") == 0);
  CHECK(log.count("be-test") == 0);
  CHECK(log.count("be-page") == 0);
  CHECK(log.count("be-single") == 0);
  CHECK(metric("sluice_events_rejected_total", {{"source", "shop"}, {"reason", "event_blocked"}}) ==
        3.0);
  CHECK(metric("sluice_events_rejected_total",
               {{"source", "shop"}, {"reason", "type_not_allowed"}}) == 1.0);
}

TEST_CASE_METHOD(ShopFixture, "a source's allowed_origins decide its CORS headers",
                 "[integration][sources]") {
  SECTION("its own origin is allowed") {
    const HttpResponse answer =
        post_as_shop("/v1/track", track_json("cors-1"), {{"Origin", std::string(kShopOrigin)}});
    CHECK(answer.status == 200);
    CHECK(answer.header("Access-Control-Allow-Origin") == kShopOrigin);
  }
  SECTION("another origin gets no CORS headers, and is counted") {
    const HttpResponse answer =
        post_as_shop("/v1/track", track_json("cors-2"), {{"Origin", "https://other.example"}});
    CHECK(answer.status == 200);
    CHECK_FALSE(answer.has_header("Access-Control-Allow-Origin"));
    CHECK(metric("sluice_cors_refused_total", {{"source", "shop"}}) == 1.0);
  }
  SECTION("the server's rule still holds for the other source and for preflights") {
    const HttpResponse website =
        client_.request("POST", "/v1/track", auth_headers({{"Origin", "https://other.example"}}),
                        track_json("cors-3"));
    CHECK(website.header("Access-Control-Allow-Origin") == "https://other.example");
    const HttpResponse preflight = client_.request(
        "OPTIONS", "/v1/track",
        {{"Origin", "https://other.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(preflight.status == 204);
    CHECK(preflight.header("Access-Control-Allow-Origin") == "https://other.example");
  }
}

}  // namespace
}  // namespace sluice::integration
