#include "server/routes.hpp"

namespace sluice::server {
namespace {

using storage::EventType;

std::optional<EventType> short_path_type(std::string_view name) {
  if (name.size() != 1) return std::nullopt;
  switch (name[0]) {
    case 'i':
      return EventType::kIdentify;
    case 't':
      return EventType::kTrack;
    case 'p':
      return EventType::kPage;
    case 's':
      return EventType::kScreen;
    case 'g':
      return EventType::kGroup;
    case 'a':
      return EventType::kAlias;
  }
  return std::nullopt;
}

bool consume_prefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

Route post(RouteKind kind, std::optional<EventType> type = std::nullopt, bool client = false) {
  return Route{kind, type, client, {}, "POST"};
}

Route get(RouteKind kind) {
  return Route{kind, std::nullopt, false, {}, "GET"};
}

// `projects/<key>/settings`, also reached through mis-set cdnHost values that repeat
// `projects/`.
std::optional<Route> match_settings(std::string_view rest) {
  if (!consume_prefix(rest, "projects/")) return std::nullopt;
  consume_prefix(rest, "projects/");
  constexpr std::string_view kSuffix = "/settings";
  if (!rest.ends_with(kSuffix)) return std::nullopt;
  std::string_view key = rest.substr(0, rest.size() - kSuffix.size());
  if (key.empty() || key.find('/') != std::string_view::npos) return std::nullopt;
  Route route = get(RouteKind::kSettings);
  route.write_key = key;
  return route;
}

}  // namespace

std::string_view route_label(RouteKind kind) {
  switch (kind) {
    case RouteKind::kSingle:
      return "single";
    case RouteKind::kBatch:
      return "batch";
    case RouteKind::kObjects:
      return "objects";
    case RouteKind::kTelemetry:
      return "telemetry";
    case RouteKind::kPixel:
      return "pixel";
    case RouteKind::kSettings:
      return "settings";
    case RouteKind::kWebhook:
      return "webhook";
    case RouteKind::kEmailClick:
      return "email_click";
    case RouteKind::kHealth:
      return "health";
    case RouteKind::kReady:
      return "ready";
    case RouteKind::kMetrics:
      return "metrics";
    case RouteKind::kNotFound:
      return "not_found";
  }
  return "not_found";
}

Route match_route(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/health") return get(RouteKind::kHealth);
  if (path == "/ready") return get(RouteKind::kReady);
  if (path == "/metrics") return get(RouteKind::kMetrics);

  std::string_view rest = path;
  if (!consume_prefix(rest, "/v1/")) {
    // Settings without the /v1 prefix: mobile SDKs given a cdnHost without it.
    if (consume_prefix(rest, "/")) {
      if (auto settings = match_settings(rest)) return *settings;
    }
    return Route{};
  }
  if (auto type = short_path_type(rest)) return post(RouteKind::kSingle, type, true);
  if (auto type = storage::message_type_from_string(rest)) return post(RouteKind::kSingle, type);
  if (rest == "batch" || rest == "import") return post(RouteKind::kBatch);
  if (rest == "b") return post(RouteKind::kBatch, std::nullopt, true);
  if (rest == "m") return post(RouteKind::kTelemetry);
  if (rest == "set") return post(RouteKind::kObjects);
  if (rest == "email/click") return get(RouteKind::kEmailClick);
  if (consume_prefix(rest, "webhook/")) {
    if (rest.empty() || rest.find('/') != std::string_view::npos) return Route{};
    Route route = post(RouteKind::kWebhook);
    route.write_key = rest;
    return route;
  }
  if (consume_prefix(rest, "pixel/")) {
    if (auto type = storage::message_type_from_string(rest)) {
      Route route = get(RouteKind::kPixel);
      route.type = type;
      route.client_side = true;
      return route;
    }
    return Route{};
  }
  if (auto settings = match_settings(rest)) return *settings;
  return Route{};
}

}  // namespace sluice::server
