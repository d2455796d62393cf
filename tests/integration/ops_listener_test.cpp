// [ops]: /metrics, /health and /ready on a listener of their own, 404 on the tracking port.

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

ServerOptions with_ops() {
  ServerOptions options;
  options.extra_config = "\n[ops]\nlisten = \"127.0.0.1:0\"\n";
  return options;
}

TEST_CASE("With [ops], the operator endpoints leave the tracking port", "[integration]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_ops());
  REQUIRE(server.ops_port() != 0);
  REQUIRE(server.ops_port() != server.port());
  HttpClient tracking(server.port());
  HttpClient ops(server.ops_port());

  for (const char* path : {"/metrics", "/health", "/ready"}) {
    INFO(path);
    check_error(tracking.request("GET", path), 404, "not_found");
  }
  CHECK(tracking.request("POST", "/v1/track", auth_headers(), track_json("ops-1")).status == 200);

  CHECK(ops.request("GET", "/health").status == 200);
  CHECK(ops.request("GET", "/ready").status == 200);
  const HttpResponse metrics = ops.request("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.header("Content-Type").starts_with("text/plain"));
  const auto accepted = metric_value(parse_metrics(metrics.body), "sluice_events_received_total",
                                     {{"source", "website"}, {"type", "track"}});
  REQUIRE(accepted.has_value());
  CHECK(*accepted == 1);

  // The ops port takes no events, and answers nothing else.
  check_error(ops.request("POST", "/v1/track", auth_headers(), track_json("ops-2")), 404,
              "not_found");
  check_error(ops.request("GET", "/v1/projects/test_write_key/settings"), 404, "not_found");
  CHECK(read_stored_log(server.config_path()).count("ops-2") == 0);
}

TEST_CASE("Without [ops], the tracking port keeps /metrics, /health and /ready", "[integration]") {
  TempDir dir;
  ServerProcess server(dir.path());
  CHECK(server.ops_port() == 0);
  HttpClient tracking(server.port());
  for (const char* path : {"/metrics", "/health", "/ready"}) {
    INFO(path);
    CHECK(tracking.request("GET", path).status == 200);
  }
}

}  // namespace
}  // namespace sluice::integration
