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

}  // namespace

AdminRoute match_admin_route(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/v1/reload") return route(AdminRouteKind::kReload, "POST");
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
