// /metrics and /ready after real traffic.

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {

TEST_CASE_METHOD(ServerFixture, "/metrics counts traffic and /ready answers 200", "[integration]") {
  // 3 single tracks + a batch of 2 tracks and an identify: 5 tracks, 1 identify.
  for (int i = 0; i < 3; ++i) {
    auto response = client_.request("POST", "/v1/track", auth_headers(),
                                    track_json("metrics-" + std::to_string(i)));
    REQUIRE(response.status == 200);
  }
  std::string identify = R"({"type":"identify","messageId":"metrics-id","userId":"u1"})";
  REQUIRE(client_
              .request("POST", "/v1/batch", auth_headers(),
                       batch_json({track_json("metrics-b1"), identify, track_json("metrics-b2")}))
              .status == 200);
  for (int i = 0; i < 2; ++i) {
    auto response = client_.request("POST", "/v1/track", {{"Authorization", basic_auth("nope")}},
                                    track_json("metrics-refused"));
    REQUIRE(response.status == 400);
  }

  HttpResponse ready = client_.request("GET", "/ready");
  CHECK(ready.status == 200);

  HttpResponse response = client_.request("GET", "/metrics");
  REQUIRE(response.status == 200);
  CHECK(response.header("Content-Type").starts_with("text/plain"));
  auto samples = parse_metrics(response.body);
  INFO(response.body);

  CHECK(metric_value(samples, "sluice_events_received_total",
                     {{"source", "website"}, {"type", "track"}}) == 5.0);
  CHECK(metric_value(samples, "sluice_events_received_total",
                     {{"source", "website"}, {"type", "identify"}}) == 1.0);
  auto refused = metric_value(samples, "sluice_requests_refused_total",
                              {{"source", ""}, {"reason", "invalid_write_key"}});
  REQUIRE(refused.has_value());
  CHECK(*refused >= 1.0);

  double http_requests = 0;
  for (const auto& sample : samples) {
    if (sample.name == "sluice_http_requests_total") http_requests += sample.value;
  }
  CHECK(http_requests >= 7.0);  // every request before this one
  auto commits = metric_value(samples, "sluice_commit_latency_seconds_count");
  REQUIRE(commits.has_value());
  CHECK(*commits >= 1.0);
}

}  // namespace sluice::integration
