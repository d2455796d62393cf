#include "server/cors.hpp"

#include <algorithm>

namespace sluice::server {
namespace {

// Headers SDKs send that make browsers preflight; always allowed even when the preflight
// does not list them.
constexpr std::string_view kBaseAllowedHeaders =
    "content-type, authorization, x-retry-count, x-write-key";

// Whether an allow-list lets origin in: "*" or the origin itself.
bool listed(const std::vector<std::string>& allowed_origins, std::string_view origin) {
  return std::any_of(
      allowed_origins.begin(), allowed_origins.end(),
      [origin](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : allowed_origins_(std::move(allowed_origins)) {
  allow_any_ =
      std::find(allowed_origins_.begin(), allowed_origins_.end(), "*") != allowed_origins_.end();
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return allow_any_ || std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) !=
                           allowed_origins_.end();
}

void CorsPolicy::apply(const Request& request, Response& response) const {
  const auto origin = request[http::field::origin];
  if (allows(origin)) add_headers(origin, response);
}

bool CorsPolicy::apply(const Request& request, Response& response,
                       const std::vector<std::string>& allowed_origins) const {
  const auto origin = request[http::field::origin];
  if (origin.empty()) return true;
  const bool allowed = listed(allowed_origins, origin);
  if (allowed) add_headers(origin, response);
  return allowed;
}

void CorsPolicy::add_headers(std::string_view origin, Response& response) {
  response.set(http::field::access_control_allow_origin, origin);
  response.set(http::field::access_control_allow_credentials, "true");
  response.set(http::field::access_control_expose_headers, "Retry-After, X-RateLimit-Reset");
  response.set(http::field::vary, "Origin");
}

Response CorsPolicy::preflight(const Request& request) const {
  Response response{http::status::no_content, request.version()};
  response.keep_alive(request.keep_alive());
  if (allows(request[http::field::origin])) {
    response.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    auto requested = request[http::field::access_control_request_headers];
    std::string allowed(kBaseAllowedHeaders);
    if (!requested.empty()) {
      allowed += ", ";
      allowed += requested;
    }
    response.set(http::field::access_control_allow_headers, allowed);
    response.set(http::field::access_control_max_age, "86400");
    apply(request, response);
  }
  return response;
}

}  // namespace sluice::server
