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
  for (std::string_view path :
       {"", "/", "/v1", "/v1/", "/v1/destinationsx", "/v2/destinations", "/v1/destinations//pause",
        "/v1/destinations/web//", "/v1/destinations/web/stop", "/v1/destinations/web/pause/now",
        "/v1/destinations/web/dead-letters/1/retry",
        "/v1/destinations/web/dead-letters/1/redeliver/x", "/v1/destinations/web/replay/1",
        "/v1/destinations/web/letters/1", "/metrics", "/v1/reload/now", "/v1/reloads"}) {
    INFO(path);
    const AdminRoute route = match_admin_route(path);
    CHECK(route.kind == AdminRouteKind::kNotFound);
    CHECK(route.method.empty());
  }
}

}  // namespace sluice::admin
