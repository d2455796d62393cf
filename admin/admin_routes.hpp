#pragma once

// Maps an admin request's path to an endpoint and the one method it answers (admin/README.md).
// Pure: no IO, so every path shape is unit-tested.

#include <string>
#include <string_view>

namespace sluice::admin {

enum class AdminRouteKind {
  kDestinations,  // GET  /v1/destinations
  kDestination,   // GET  /v1/destinations/{name}
  kPause,         // POST /v1/destinations/{name}/pause
  kResume,        // POST /v1/destinations/{name}/resume
  kReplay,        // POST /v1/destinations/{name}/replay
  kDeadLetters,   // GET  /v1/destinations/{name}/dead-letters
  kDeadLetter,    // GET  /v1/destinations/{name}/dead-letters/{id}
  kRedeliver,     // POST /v1/destinations/{name}/dead-letters/{id}/redeliver
  kReload,        // POST /v1/reload
  kSources,       // GET, POST /v1/sources
  kSource,        // GET, PATCH, DELETE /v1/sources/{name}
  kSourceKeys,    // POST /v1/sources/{name}/keys
  kRevokeKey,     // POST /v1/sources/{name}/keys/{key}/revoke
  kEvent,         // GET  /v1/events/{messageId}?source=NAME
  kWorkspace,     // GET  /v1/workspace
  kTail,          // GET  /v1/tail?source=&type=&event=&sample=&rejected= (streamed)
  kNotFound,
};

struct AdminRoute {
  AdminRouteKind kind = AdminRouteKind::kNotFound;
  // The methods the route answers, as the Allow header lists them ("GET" or "GET, POST").
  std::string_view method;
  // Path segments as written (no percent-decoding: destination names cannot hold characters
  // that need it); views into the path passed to match_admin_route.
  std::string_view destination;
  std::string_view dead_letter_id;  // kDeadLetter and kRedeliver; not checked to be a number
  // The source routes' segments (names and API keys are URL-safe; a config source whose name
  // is not cannot be addressed, and config sources cannot be changed here anyway).
  std::string_view source;
  std::string_view write_key;   // kRevokeKey
  std::string_view message_id;  // kEvent, still percent-encoded
};

// The target as logs may show it: a write key in the path (kRevokeKey) is replaced by
// "<key>", since the key still works during its grace period.
std::string redacted_target(std::string_view target);

// Whether method is one of route.method's.
bool route_allows(const AdminRoute& route, std::string_view method);

// path excludes the query string. A trailing '/' is tolerated.
AdminRoute match_admin_route(std::string_view path);

}  // namespace sluice::admin
