#pragma once

// Answers one parsed HTTP request: the Tracking API routes (ingest → commit → 200), the
// settings document, pixels, health, readiness and metrics. Sockets, timeouts and body limits
// are the session's job; field rules are api's; durability is storage's.
//
// One RequestHandler per IO thread. Sessions on that thread share it, and may interleave at
// co_await points, so per-request state never lives in members across a suspension. The
// referenced config, registries and log must outlive it.

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <prometheus/registry.h>

#include "api/api_metrics.hpp"
#include "api/ingestor.hpp"
#include "api/sources.hpp"
#include "config/config.hpp"
#include "net/http_types.hpp"
#include "server/body_decoder.hpp"
#include "server/routes.hpp"
#include "storage/event_log.hpp"

namespace sluice::server {

namespace http = net::http;
using net::Request;
using net::Response;

struct HandlerContext {
  const config::ServerConfig& server;
  const api::SourceRegistry& sources;
  storage::EventLog& log;
  api::ApiMetrics& api_metrics;
  prometheus::Registry& registry;  // rendered by /metrics
};

class RequestHandler {
 public:
  explicit RequestHandler(const HandlerContext& context);

  // route must be match_route() of the request's path, and the method must be the route's.
  boost::asio::awaitable<Response> handle(const Request& request, const Route& route,
                                          std::string_view query, std::string_view client_ip);

  // A JSON error response: {"code","message"}.
  static Response error(unsigned version, http::status status, std::string_view code,
                        std::string_view message);

 private:
  boost::asio::awaitable<Response> ingest(const Request& request, const Route& route,
                                          std::string_view body, std::string_view query,
                                          std::string_view client_ip);
  boost::asio::awaitable<Response> pixel(const Request& request, const Route& route,
                                         std::string_view query, std::string_view client_ip);
  Response settings(const Request& request, const Route& route) const;
  Response ready(const Request& request) const;
  Response metrics(const Request& request) const;
  Response unavailable(const Request& request, storage::Admission admission) const;

  HandlerContext context_;
  api::Ingestor ingestor_;
  api::IngestOutcome outcome_;
  BodyDecoder decoder_;
};

}  // namespace sluice::server
