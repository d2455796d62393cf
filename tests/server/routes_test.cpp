#include "server/routes.hpp"

#include <catch2/catch.hpp>

namespace sluice::server {
namespace {

using storage::EventType;

struct PathType {
  std::string_view path;
  EventType type;
};

TEST_CASE("long single-message paths are server-side POST routes of their type", "[server]") {
  constexpr PathType kCases[] = {
      {"/v1/identify", EventType::kIdentify}, {"/v1/track", EventType::kTrack},
      {"/v1/page", EventType::kPage},         {"/v1/screen", EventType::kScreen},
      {"/v1/group", EventType::kGroup},       {"/v1/alias", EventType::kAlias},
  };
  for (const PathType& c : kCases) {
    DYNAMIC_SECTION(c.path) {
      const Route route = match_route(c.path);
      CHECK(route.kind == RouteKind::kSingle);
      CHECK(route.type == c.type);
      CHECK_FALSE(route.client_side);
      CHECK(route.method == "POST");
      CHECK(route.write_key.empty());
    }
  }
}

TEST_CASE("short single-message paths are client-side POST routes of their type", "[server]") {
  constexpr PathType kCases[] = {
      {"/v1/i", EventType::kIdentify}, {"/v1/t", EventType::kTrack}, {"/v1/p", EventType::kPage},
      {"/v1/s", EventType::kScreen},   {"/v1/g", EventType::kGroup}, {"/v1/a", EventType::kAlias},
  };
  for (const PathType& c : kCases) {
    DYNAMIC_SECTION(c.path) {
      const Route route = match_route(c.path);
      CHECK(route.kind == RouteKind::kSingle);
      CHECK(route.type == c.type);
      CHECK(route.client_side);
      CHECK(route.method == "POST");
    }
  }
}

TEST_CASE("batch paths", "[server]") {
  SECTION("/v1/batch and /v1/import are server-side") {
    for (std::string_view path : {"/v1/batch", "/v1/import"}) {
      INFO(path);
      const Route route = match_route(path);
      CHECK(route.kind == RouteKind::kBatch);
      CHECK_FALSE(route.type.has_value());
      CHECK_FALSE(route.client_side);
      CHECK(route.method == "POST");
    }
  }
  SECTION("/v1/b is client-side") {
    const Route route = match_route("/v1/b");
    CHECK(route.kind == RouteKind::kBatch);
    CHECK_FALSE(route.type.has_value());
    CHECK(route.client_side);
    CHECK(route.method == "POST");
  }
}

TEST_CASE("/v1/set is the Objects API, and object is no message path", "[server]") {
  const Route route = match_route("/v1/set");
  CHECK(route.kind == RouteKind::kObjects);
  CHECK(route.method == "POST");
  CHECK(route_label(route.kind) == "objects");
  CHECK(match_route("/v1/object").kind == RouteKind::kNotFound);
  CHECK(match_route("/v1/pixel/object").kind == RouteKind::kNotFound);
}

TEST_CASE("/v1/m is SDK telemetry", "[server]") {
  const Route route = match_route("/v1/m");
  CHECK(route.kind == RouteKind::kTelemetry);
  CHECK(route.method == "POST");
  CHECK(route_label(route.kind) == "telemetry");
}

TEST_CASE("pixel paths are client-side GET routes of their type", "[server]") {
  constexpr PathType kCases[] = {
      {"/v1/pixel/identify", EventType::kIdentify}, {"/v1/pixel/track", EventType::kTrack},
      {"/v1/pixel/page", EventType::kPage},         {"/v1/pixel/screen", EventType::kScreen},
      {"/v1/pixel/group", EventType::kGroup},       {"/v1/pixel/alias", EventType::kAlias},
  };
  for (const PathType& c : kCases) {
    DYNAMIC_SECTION(c.path) {
      const Route route = match_route(c.path);
      CHECK(route.kind == RouteKind::kPixel);
      CHECK(route.type == c.type);
      CHECK(route.client_side);
      CHECK(route.method == "GET");
    }
  }
  SECTION("an unknown pixel type or a short name") {
    CHECK(match_route("/v1/pixel/purchase").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/pixel/t").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/pixel").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/pixel/").kind == RouteKind::kNotFound);
  }
}

TEST_CASE("settings paths carry the write key", "[server]") {
  auto settings_key = [](std::string_view path) {
    INFO(path);
    const Route route = match_route(path);
    CHECK(route.kind == RouteKind::kSettings);
    CHECK(route.method == "GET");
    CHECK_FALSE(route.client_side);
    return route.write_key;
  };
  SECTION("with /v1") {
    CHECK(settings_key("/v1/projects/wk_web/settings") == "wk_web");
  }
  SECTION("without /v1 (cdnHost without it)") {
    CHECK(settings_key("/projects/wk_web/settings") == "wk_web");
  }
  SECTION("with projects/ repeated (mis-set cdnHost)") {
    CHECK(settings_key("/v1/projects/projects/wk_web/settings") == "wk_web");
  }
  SECTION("with a trailing slash") {
    CHECK(settings_key("/v1/projects/wk_web/settings/") == "wk_web");
  }
  SECTION("an empty key or one with a slash is not a settings path") {
    CHECK(match_route("/v1/projects//settings").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/projects/a/b/settings").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/projects/wk_web").kind == RouteKind::kNotFound);
    CHECK(match_route("/v1/projects/wk_web/config").kind == RouteKind::kNotFound);
  }
}

TEST_CASE("a trailing slash is tolerated", "[server]") {
  CHECK(match_route("/v1/track/").kind == RouteKind::kSingle);
  CHECK(match_route("/v1/t/").type == EventType::kTrack);
  CHECK(match_route("/v1/b/").client_side);
  CHECK(match_route("/v1/batch/").kind == RouteKind::kBatch);
  CHECK(match_route("/v1/pixel/page/").type == EventType::kPage);
  CHECK(match_route("/health/").kind == RouteKind::kHealth);
  SECTION("but only one") {
    CHECK(match_route("/v1/track//").kind == RouteKind::kNotFound);
  }
}

TEST_CASE("operational paths", "[server]") {
  CHECK(match_route("/health").kind == RouteKind::kHealth);
  CHECK(match_route("/health").method == "GET");
  CHECK(match_route("/ready").kind == RouteKind::kReady);
  CHECK(match_route("/metrics").kind == RouteKind::kMetrics);
}

TEST_CASE("unknown paths are not found", "[server]") {
  for (std::string_view path :
       {"", "/", "/v1", "/v1/", "/v1/x", "/v1/tt", "/v1/Track", "/v2/track", "/track",
        "/v1/identify/extra", "/v1/m/x", "/healthz", "v1/track"}) {
    INFO("path '" << path << "'");
    const Route route = match_route(path);
    CHECK(route.kind == RouteKind::kNotFound);
    CHECK(route_label(route.kind) == "not_found");
  }
}

TEST_CASE("route_label names every kind distinctly", "[server]") {
  CHECK(route_label(RouteKind::kSingle) == "single");
  CHECK(route_label(RouteKind::kBatch) == "batch");
  CHECK(route_label(RouteKind::kPixel) == "pixel");
  CHECK(route_label(RouteKind::kSettings) == "settings");
  CHECK(route_label(RouteKind::kHealth) == "health");
  CHECK(route_label(RouteKind::kReady) == "ready");
  CHECK(route_label(RouteKind::kMetrics) == "metrics");
}

}  // namespace
}  // namespace sluice::server
