#include "server/request_settings.hpp"

namespace sluice::server {

RequestSettings::RequestSettings(const config::ServerConfig& server)
    : max_request_bytes(server.max_request_bytes),
      ingest{server.max_message_bytes, server.max_batch_events},
      trust_forwarded_for(server.trust_forwarded_for),
      cors(server.cors_allowed_origins),
      public_host(server.public_host),
      retry_after(server.retry_after) {}

std::vector<std::string> changed_request_settings(const config::ServerConfig& a,
                                                  const config::ServerConfig& b) {
  std::vector<std::string> changed;
  const auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  check(a.max_request_bytes != b.max_request_bytes, "server.max_request_bytes");
  check(a.max_message_bytes != b.max_message_bytes, "server.max_message_bytes");
  check(a.max_batch_events != b.max_batch_events, "server.max_batch_events");
  check(a.trust_forwarded_for != b.trust_forwarded_for, "server.trust_forwarded_for");
  check(a.cors_allowed_origins != b.cors_allowed_origins, "server.cors_allowed_origins");
  check(a.public_host != b.public_host, "server.public_host");
  check(a.retry_after != b.retry_after, "server.retry_after");
  return changed;
}

void copy_request_settings(const config::ServerConfig& from, config::ServerConfig& to) {
  to.max_request_bytes = from.max_request_bytes;
  to.max_message_bytes = from.max_message_bytes;
  to.max_batch_events = from.max_batch_events;
  to.trust_forwarded_for = from.trust_forwarded_for;
  to.cors_allowed_origins = from.cors_allowed_origins;
  to.public_host = from.public_host;
  to.retry_after = from.retry_after;
}

}  // namespace sluice::server
