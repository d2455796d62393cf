#include "admin/admin_routes.hpp"

#include <catch2/catch.hpp>

namespace sluice::admin {
namespace {

struct Expected {
  std::string_view path;
  AdminRouteKind kind;
  std::string_view method;
  std::string_view destination;
  std::string_view id;
};

}  // namespace

TEST_CASE("Admin paths map to their endpoint, method, name and id", "[admin]") {
  constexpr Expected kCases[] = {
      {"/v1/destinations", AdminRouteKind::kDestinations, "GET", "", ""},
      {"/v1/destinations/", AdminRouteKind::kDestinations, "GET", "", ""},
      {"/v1/destinations/web", AdminRouteKind::kDestination, "GET", "web", ""},
      {"/v1/destinations/web/", AdminRouteKind::kDestination, "GET", "web", ""},
      {"/v1/destinations/web/pause", AdminRouteKind::kPause, "POST", "web", ""},
      {"/v1/destinations/web/resume", AdminRouteKind::kResume, "POST", "web", ""},
      {"/v1/destinations/web/replay", AdminRouteKind::kReplay, "POST", "web", ""},
      {"/v1/destinations/a.b_c-d/dead-letters", AdminRouteKind::kDeadLetters, "GET", "a.b_c-d", ""},
      {"/v1/destinations/web/dead-letters/17", AdminRouteKind::kDeadLetter, "GET", "web", "17"},
      {"/v1/destinations/web/dead-letters/x", AdminRouteKind::kDeadLetter, "GET", "web", "x"},
      {"/v1/destinations/web/dead-letters/17/redeliver", AdminRouteKind::kRedeliver, "POST", "web",
       "17"},
      {"/v1/reload", AdminRouteKind::kReload, "POST", "", ""},
      {"/v1/reload/", AdminRouteKind::kReload, "POST", "", ""},
  };
  for (const Expected& c : kCases) {
    DYNAMIC_SECTION(c.path) {
      const AdminRoute route = match_admin_route(c.path);
      CHECK(route.kind == c.kind);
      CHECK(route.method == c.method);
      CHECK(route.destination == c.destination);
      CHECK(route.dead_letter_id == c.id);
    }
  }
}

TEST_CASE("Other admin paths are not found", "[admin]") {
  for (std::string_view path : {"",
                                "/",
                                "/v1",
                                "/v1/",
                                "/v1/destinationsx",
                                "/v2/destinations",
                                "/v1/destinations//pause",
                                "/v1/destinations/web//",
                                "/v1/destinations/web/stop",
                                "/v1/destinations/web/pause/now",
                                "/v1/destinations/web/dead-letters/1/retry",
                                "/v1/destinations/web/dead-letters/1/redeliver/x",
                                "/v1/destinations/web/replay/1",
                                "/v1/destinations/web/letters/1",
                                "/metrics",
                                "/v1/reload/now",
                                "/v1/reloads",
                                "/v1/sourcesx",
                                "/v1/sources//keys",
                                "/v1/sources/web/key",
                                "/v1/sources/web/keys/k",
                                "/v1/sources/web/keys/k/delete",
                                "/v1/sources/web/keys/k/revoke/now"}) {
    INFO(path);
    const AdminRoute route = match_admin_route(path);
    CHECK(route.kind == AdminRouteKind::kNotFound);
    CHECK(route.method.empty());
  }
}

TEST_CASE("Source paths name the source and the key, and list the methods they answer", "[admin]") {
  AdminRoute route = match_admin_route("/v1/sources");
  CHECK(route.kind == AdminRouteKind::kSources);
  CHECK(route.method == "GET, POST");
  CHECK(route_allows(route, "GET"));
  CHECK(route_allows(route, "POST"));
  CHECK_FALSE(route_allows(route, "PATCH"));
  CHECK_FALSE(route_allows(route, "GE"));

  route = match_admin_route("/v1/sources/ios-app/");
  CHECK(route.kind == AdminRouteKind::kSource);
  CHECK(route.source == "ios-app");
  CHECK(route_allows(route, "DELETE"));
  CHECK(route_allows(route, "PATCH"));
  CHECK_FALSE(route_allows(route, "POST"));

  route = match_admin_route("/v1/sources/ios-app/keys");
  CHECK(route.kind == AdminRouteKind::kSourceKeys);
  CHECK(route.source == "ios-app");
  CHECK(route.method == "POST");

  route = match_admin_route("/v1/sources/ios-app/keys/Ab-_9/revoke");
  CHECK(route.kind == AdminRouteKind::kRevokeKey);
  CHECK(route.source == "ios-app");
  CHECK(route.write_key == "Ab-_9");
  // Logs never show a key that may still work.
  CHECK(redacted_target("/v1/sources/ios-app/keys/Ab-_9/revoke?x=1") ==
        "/v1/sources/ios-app/keys/<key>/revoke");
  CHECK(redacted_target("/v1/sources/ios-app") == "/v1/sources/ios-app");
}

TEST_CASE("An event path names the messageId as written", "[admin]") {
  AdminRoute route = match_admin_route("/v1/events/a%20b%2Fc+d");
  CHECK(route.kind == AdminRouteKind::kEvent);
  CHECK(route.method == "GET");
  CHECK(route.message_id == "a%20b%2Fc+d");
  CHECK(match_admin_route("/v1/events/m-1/").message_id == "m-1");
  CHECK(match_admin_route("/v1/events").kind == AdminRouteKind::kNotFound);
  CHECK(match_admin_route("/v1/events/").kind == AdminRouteKind::kNotFound);
  CHECK(match_admin_route("/v1/events/a/b").kind == AdminRouteKind::kNotFound);
}

}  // namespace sluice::admin
