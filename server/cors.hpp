#pragma once

// CORS for browser SDKs (docs/protocol.md §10): the request's Origin is reflected with
// credentials allowed, when it is on the allow-list ("*" allows any). A source may have its own
// allow-list for the answers to its requests; the preflight, which carries no write key, always
// follows the server's.

#include <string>
#include <vector>

#include "net/http_types.hpp"

namespace sluice::server {

namespace http = net::http;
using net::Request;
using net::Response;

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  // Adds the CORS headers to response when request carries an allowed Origin.
  void apply(const Request& request, Response& response) const;

  // The same with a source's own allow-list in place of the server's ([sources.settings]
  // allowed_origins). false when the request carries an Origin the list does not allow.
  bool apply(const Request& request, Response& response,
             const std::vector<std::string>& allowed_origins) const;

  // The 204 answer to an OPTIONS preflight (no auth needed).
  Response preflight(const Request& request) const;

 private:
  bool allows(std::string_view origin) const;
  static void add_headers(std::string_view origin, Response& response);

  std::vector<std::string> allowed_origins_;
  bool allow_any_ = false;
};

}  // namespace sluice::server
