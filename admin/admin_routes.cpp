#include "admin/admin_routes.hpp"

#include <array>
#include <cstddef>

namespace sluice::admin {
namespace {

constexpr std::string_view kPrefix = "/v1/destinations";
constexpr std::size_t kMaxSegments = 4;  // {name}/dead-letters/{id}/redeliver

// Splits "a/b/c" into its segments; false when there are more than the longest route has, or
// an empty one ("a//b").
bool split_segments(std::string_view path, std::array<std::string_view, kMaxSegments>& segments,
                    std::size_t& count) {
  count = 0;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (segment.empty() || count == kMaxSegments) return false;
    segments[count++] = segment;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) return false;  // "a/": only one trailing '/' is tolerated, by the caller
  }
  return true;
}

AdminRoute route(AdminRouteKind kind, std::string_view method, std::string_view destination = {},
                 std::string_view id = {}) {
  return AdminRoute{kind, method, destination, id};
}

AdminRoute source_route(AdminRouteKind kind, std::string_view method, std::string_view source,
                        std::string_view key = {}) {
  AdminRoute matched{kind, method};
  matched.source = source;
  matched.write_key = key;
  return matched;
}

// path: what follows "/v1/sources".
AdminRoute match_source_route(std::string_view path) {
  if (path.empty()) return source_route(AdminRouteKind::kSources, "GET, POST", {});
  if (path.front() != '/') return {};  // "/v1/sourcesX"
  path.remove_prefix(1);
  std::array<std::string_view, kMaxSegments> segments;
  std::size_t count = 0;
  if (!split_segments(path, segments, count) || count == 0) return {};
  if (count == 1) return source_route(AdminRouteKind::kSource, "GET, PATCH, DELETE", segments[0]);
  if (segments[1] != "keys") return {};
  if (count == 2) return source_route(AdminRouteKind::kSourceKeys, "POST", segments[0]);
  if (count == 4 && segments[3] == "revoke") {
    return source_route(AdminRouteKind::kRevokeKey, "POST", segments[0], segments[2]);
  }
  return {};
}

}  // namespace

std::string redacted_target(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  const AdminRoute route = match_admin_route(path);
  if (route.kind != AdminRouteKind::kRevokeKey) return std::string(target);
  return "/v1/sources/" + std::string(route.source) + "/keys/<key>/revoke";
}

bool route_allows(const AdminRoute& route, std::string_view method) {
  std::string_view methods = route.method;
  while (!methods.empty()) {
    const std::size_t comma = methods.find(", ");
    if (methods.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 2);
  }
  return false;
}

AdminRoute match_admin_route(std::string_view path) {
  constexpr std::string_view kSourcesPrefix = "/v1/sources";
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/v1/reload") return route(AdminRouteKind::kReload, "POST");
  if (path == "/v1/tail") return route(AdminRouteKind::kTail, "GET");
  if (path == "/v1/workspace") return route(AdminRouteKind::kWorkspace, "GET");
  if (constexpr std::string_view kEvents = "/v1/events/"; path.starts_with(kEvents)) {
    const std::string_view id = path.substr(kEvents.size());
    if (id.empty() || id.find('/') != std::string_view::npos) return {};
    AdminRoute event = route(AdminRouteKind::kEvent, "GET");
    event.message_id = id;
    return event;
  }
  if (path.starts_with(kSourcesPrefix))
    return match_source_route(path.substr(kSourcesPrefix.size()));
  if (!path.starts_with(kPrefix)) return {};
  path.remove_prefix(kPrefix.size());
  if (path.empty()) return route(AdminRouteKind::kDestinations, "GET");
  if (path.front() != '/') return {};  // "/v1/destinationsX"
  path.remove_prefix(1);

  std::array<std::string_view, kMaxSegments> segments;
  std::size_t count = 0;
  if (!split_segments(path, segments, count) || count == 0) return {};
  const std::string_view name = segments[0];
  if (count == 1) return route(AdminRouteKind::kDestination, "GET", name);
  const std::string_view action = segments[1];
  if (count == 2) {
    if (action == "pause") return route(AdminRouteKind::kPause, "POST", name);
    if (action == "resume") return route(AdminRouteKind::kResume, "POST", name);
    if (action == "replay") return route(AdminRouteKind::kReplay, "POST", name);
    if (action == "dead-letters") return route(AdminRouteKind::kDeadLetters, "GET", name);
    return {};
  }
  if (action != "dead-letters") return {};
  if (count == 3) return route(AdminRouteKind::kDeadLetter, "GET", name, segments[2]);
  if (segments[3] == "redeliver") {
    return route(AdminRouteKind::kRedeliver, "POST", name, segments[2]);
  }
  return {};
}

}  // namespace sluice::admin
