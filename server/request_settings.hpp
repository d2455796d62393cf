#pragma once

// The [server] settings a request is answered under that a reload can change: the size limits,
// CORS, X-Forwarded-For trust, the advertised host and Retry-After. They are published as one
// immutable RequestSettings (common/published.hpp): a request takes the one in force when it
// starts and keeps it to its answer, so a reload never changes the rules half-way through one.
//
// max_request_bytes bounds the decoded body at once; the read limit of the raw body is a
// connection's, taken when the connection opens, so it applies to connections opened after
// the reload.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "api/ingestor.hpp"
#include "common/published.hpp"
#include "config/config.hpp"
#include "server/cors.hpp"

namespace sluice::server {

struct RequestSettings {
  explicit RequestSettings(const config::ServerConfig& server);

  std::size_t max_request_bytes;
  api::IngestLimits ingest;
  bool trust_forwarded_for;
  CorsPolicy cors;
  std::string public_host;
  std::chrono::seconds retry_after;
};

using RequestSettingsDirectory = Published<RequestSettings>;

// The names of the [server] settings a RequestSettings holds that differ between a and b
// ("server.max_message_bytes", ...).
std::vector<std::string> changed_request_settings(const config::ServerConfig& a,
                                                  const config::ServerConfig& b);
// Copies those settings from one [server] to another, leaving the rest of `to` as it is.
void copy_request_settings(const config::ServerConfig& from, config::ServerConfig& to);

}  // namespace sluice::server
