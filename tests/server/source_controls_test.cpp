// A source's [sources.settings] at the tracking port: its rate limit answers 429 with when to
// retry, its blocked events and types are reported and not stored, its allowed_origins decide
// the CORS headers of the answers to its requests. TrackingApi runs against a FakeIntakeLog.

#include <future>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include "api/base64.hpp"
#include "fake_intake_log.hpp"
#include "server/tracking_api.hpp"

namespace sluice::server {
namespace {

namespace asio = boost::asio;
using test::FakeIntakeLog;

constexpr std::string_view kShopOrigin = "https://shop.example.com";

// "shop" (key "wk_shop"): 1 event per second in a bucket of 3, two blocked names, track and
// identify only, one allowed origin. "open" (key "wk_open"): no settings.
std::vector<config::SourceConfig> controlled_sources() {
  config::SourceSettings shop;
  shop.rate_limit = config::RateLimitConfig{1, 3};
  shop.blocked_events = {"Debug Ping", "Test *"};
  shop.allowed_types = {"track", "identify"};
  shop.allowed_origins = std::vector<std::string>{std::string(kShopOrigin)};
  return {config::SourceConfig{"shop", {"wk_shop"}, shop},
          config::SourceConfig{"open", {"wk_open"}, {}}};
}

Request post(std::string_view target, std::string body, std::string_view key,
             std::string_view origin = {}) {
  Request request{http::verb::post, target, 11};
  request.set(http::field::host, "sluice.test");
  request.set(http::field::authorization, "Basic " + api::encode_base64(std::string(key) + ":"));
  request.set(http::field::content_type, "application/json");
  if (!origin.empty()) request.set(http::field::origin, origin);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

std::string track(std::string_view event) {
  return R"({"userId":"u1","event":")" + std::string(event) + R"("})";
}

std::string batch_of(int events) {
  std::string body = R"({"batch":[)";
  for (int i = 0; i < events; ++i) {
    if (i) body += ',';
    body += R"({"type":"track","userId":"u1","event":"E)" + std::to_string(i) + R"("})";
  }
  return body + "]}";
}

class ControlsFixture {
 public:
  ControlsFixture()
      : sources_(std::make_shared<const api::SourceRegistry>(controlled_sources(), &metrics_)),
        settings_(std::make_shared<const RequestSettings>(server_)),
        api_(TrackingApiContext{settings_, sources_, log_, metrics_, {}}) {}

  Response send(const Request& request) {
    auto answer = asio::co_spawn(io_, api_.answer(request, Peer{"203.0.113.7"}), asio::use_future);
    io_.restart();
    io_.run();
    return answer.get().response;
  }

  std::size_t stored() const { return log_.stored().size(); }
  FakeIntakeLog& log() { return log_; }

  // The value of a counter with exactly these labels; 0 when there is none.
  double counter(std::string_view name, const std::map<std::string, std::string>& labels) const {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> found;
        for (const auto& label : metric.label) found[label.name] = label.value;
        if (found == labels) return metric.counter.value;
      }
    }
    return 0;
  }

 private:
  config::ServerConfig server_;  // cors_allowed_origins: "*"
  prometheus::Registry registry_;
  api::ApiMetrics metrics_{registry_};
  api::SourceDirectory sources_;
  RequestSettingsDirectory settings_;
  FakeIntakeLog log_;
  TrackingApi api_;
  asio::io_context io_;
};

TEST_CASE("a source over its rate limit is answered 429 with when to retry",
          "[server][tracking_api][sources]") {
  ControlsFixture fixture;
  REQUIRE(fixture.send(post("/v1/batch", batch_of(3), "wk_shop")).result() == http::status::ok);
  REQUIRE(fixture.stored() == 3);

  const Response refused = fixture.send(post("/v1/track", track("Bought"), "wk_shop"));
  CHECK(refused.result() == http::status::too_many_requests);
  CHECK(refused[http::field::retry_after] == "1");
  CHECK(refused["X-RateLimit-Reset"] == "1");
  CHECK(refused[http::field::content_type] == "application/json");
  CHECK_THAT(refused.body(), Catch::StartsWith(R"({"code":"rate_limited","message":)"));
  CHECK(fixture.stored() == 3);
  CHECK(fixture.counter("sluice_requests_refused_total",
                        {{"source", "shop"}, {"reason", "rate_limited"}}) == 1);

  SECTION("another source is not limited") {
    CHECK(fixture.send(post("/v1/batch", batch_of(10), "wk_open")).result() == http::status::ok);
  }
  SECTION("a request refused for another reason is counted under that reason") {
    const Response invalid = fixture.send(post("/v1/batch", "{", "wk_shop"));
    CHECK(invalid.result() == http::status::bad_request);
    CHECK(fixture.counter("sluice_requests_refused_total",
                          {{"source", "shop"}, {"reason", "invalid_json"}}) == 1);
  }
}

TEST_CASE("a request answered 503 gives its tokens back for its retry",
          "[server][tracking_api][sources]") {
  ControlsFixture fixture;
  fixture.log().set_admission(storage::Admission::kBacklogFull);
  CHECK(fixture.send(post("/v1/batch", batch_of(3), "wk_shop")).result() ==
        http::status::service_unavailable);
  fixture.log().set_admission(storage::Admission::kAccepted);
  fixture.log().set_commit_ok(false);
  CHECK(fixture.send(post("/v1/batch", batch_of(3), "wk_shop")).result() ==
        http::status::service_unavailable);
  fixture.log().set_commit_ok(true);
  // The whole burst is still there: neither failure cost the source its tokens.
  CHECK(fixture.send(post("/v1/batch", batch_of(3), "wk_shop")).result() == http::status::ok);
  CHECK(fixture.stored() == 3);
}

TEST_CASE("a request bigger than its source's burst is refused for good",
          "[server][tracking_api][sources]") {
  ControlsFixture fixture;
  REQUIRE(fixture.send(post("/v1/batch", "{", "wk_shop")).result() == http::status::bad_request);
  const Response refused = fixture.send(post("/v1/batch", batch_of(4), "wk_shop"));
  CHECK(refused.result() == http::status::bad_request);
  CHECK_THAT(refused.body(), Catch::StartsWith(R"({"code":"exceeds_burst",)"));
  CHECK(refused.count(http::field::retry_after) == 0);
  CHECK(fixture.stored() == 0);
  // Neither refusal took tokens: a full burst still passes.
  CHECK(fixture.send(post("/v1/batch", batch_of(3), "wk_shop")).result() == http::status::ok);
}

TEST_CASE("blocked events and disallowed types are reported and not stored",
          "[server][tracking_api][sources]") {
  ControlsFixture fixture;
  SECTION("in a batch, the rest is stored and only it takes tokens") {
    const Response answer =
        fixture.send(post("/v1/batch",
                          R"({"batch":[{"type":"track","userId":"u","event":"Debug Ping"},)"
                          R"({"type":"page","userId":"u","name":"Home"},)"
                          R"({"type":"track","userId":"u","event":"Test Run"},)"
                          R"({"type":"track","userId":"u","event":"E1"},)"
                          R"({"type":"track","userId":"u","event":"E2"},)"
                          R"({"type":"track","userId":"u","event":"E3"}]})",
                          "wk_shop"));
    CHECK(answer.result() == http::status::ok);
    CHECK(
        answer.body() ==
        R"({"success":true,"rejected":[)"
        R"({"index":0,"code":"event_blocked","message":"the source blocks track events of this name"},)"
        R"({"index":1,"code":"type_not_allowed","message":"the source does not accept messages of this type"},)"
        R"({"index":2,"code":"event_blocked","message":"the source blocks track events of this name"}]})");
    CHECK(fixture.stored() == 3);
    CHECK(fixture.counter("sluice_events_rejected_total",
                          {{"source", "shop"}, {"reason", "event_blocked"}}) == 2);
    CHECK(fixture.counter("sluice_events_rejected_total",
                          {{"source", "shop"}, {"reason", "type_not_allowed"}}) == 1);
  }
  SECTION("a single message is answered 200 with its rejection") {
    const Response answer = fixture.send(post("/v1/track", track("Debug Ping"), "wk_shop"));
    CHECK(answer.result() == http::status::ok);
    CHECK_THAT(answer.body(), Catch::Contains(R"("code":"event_blocked")"));
    CHECK(fixture.stored() == 0);
  }
  SECTION("a single message of a type the source does not take") {
    const Response answer =
        fixture.send(post("/v1/page", R"({"userId":"u1","name":"Home"})", "wk_shop"));
    CHECK(answer.result() == http::status::ok);
    CHECK_THAT(answer.body(), Catch::Contains(R"("code":"type_not_allowed")"));
    CHECK(fixture.stored() == 0);
  }
}

TEST_CASE("a source's allowed_origins decide the CORS headers of its answers",
          "[server][tracking_api][sources]") {
  ControlsFixture fixture;
  SECTION("an allowed Origin is reflected") {
    const Response answer = fixture.send(post("/v1/track", track("A"), "wk_shop", kShopOrigin));
    CHECK(answer.result() == http::status::ok);
    CHECK(answer[http::field::access_control_allow_origin] == kShopOrigin);
    CHECK(answer[http::field::access_control_allow_credentials] == "true");
  }
  SECTION("another Origin gets no CORS headers and is counted") {
    const Response answer =
        fixture.send(post("/v1/track", track("A"), "wk_shop", "https://evil.example"));
    CHECK(answer.result() == http::status::ok);
    CHECK(answer.count(http::field::access_control_allow_origin) == 0);
    CHECK(answer.count(http::field::access_control_allow_credentials) == 0);
    CHECK(fixture.counter("sluice_cors_refused_total", {{"source", "shop"}}) == 1);
  }
  SECTION("a source without allowed_origins follows the server's rule") {
    const Response answer =
        fixture.send(post("/v1/track", track("A"), "wk_open", "https://evil.example"));
    CHECK(answer[http::field::access_control_allow_origin] == "https://evil.example");
    CHECK(fixture.counter("sluice_cors_refused_total", {{"source", "open"}}) == 0);
  }
  SECTION("the preflight carries no key and follows the server's rule") {
    Request preflight{http::verb::options, "/v1/track", 11};
    preflight.set(http::field::host, "sluice.test");
    preflight.set(http::field::origin, "https://evil.example");
    const Response answer = fixture.send(preflight);
    CHECK(answer.result() == http::status::no_content);
    CHECK(answer[http::field::access_control_allow_origin] == "https://evil.example");
  }
  SECTION("a request with an unknown key follows the server's rule") {
    const Response answer =
        fixture.send(post("/v1/track", track("A"), "wk_nobody", "https://evil.example"));
    CHECK(answer.result() == http::status::bad_request);
    CHECK(answer[http::field::access_control_allow_origin] == "https://evil.example");
    CHECK(fixture.counter("sluice_requests_refused_total",
                          {{"source", ""}, {"reason", "invalid_write_key"}}) == 1);
  }
}

}  // namespace
}  // namespace sluice::server
