#pragma once

// Maps a request's method and path to what the server does with it (docs/protocol.md §1).
// Pure: no IO, so every alias and edge case is unit-tested.

#include <optional>
#include <string_view>

#include "storage/event_type.hpp"

namespace sluice::server {

enum class RouteKind {
  kSingle,      // one message: /v1/track, /v1/t, ...
  kBatch,       // batch envelope: /v1/batch, /v1/b, /v1/import
  kObjects,     // POST /v1/set: the Objects API
  kTelemetry,   // /v1/m: SDK self-telemetry, answered and discarded
  kPixel,       // GET /v1/pixel/<type>
  kSettings,    // GET /v1/projects/<writeKey>/settings
  kWebhook,     // POST /v1/webhook/<writeKey>: email providers and other tools' webhooks
  kEmailClick,  // GET /v1/email/click: a signed email link, stored and redirected
  kHealth,
  kReady,
  kMetrics,
  kNotFound,
};

// A label for metrics, one per RouteKind.
std::string_view route_label(RouteKind kind);

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  std::optional<storage::EventType> type;  // kSingle and kPixel
  bool client_side = false;                // short paths, /v1/b and pixels: context.ip is set
  std::string_view write_key;              // kSettings and kWebhook: the key in the path
  // The only method the route answers (OPTIONS preflight aside): "POST" or "GET".
  std::string_view method;
};

// path excludes the query string. A trailing '/' is tolerated.
Route match_route(std::string_view path);

}  // namespace sluice::server
