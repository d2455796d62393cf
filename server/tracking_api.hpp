#pragma once

// Everything the tracking port answers, as one socket-free function: answer() takes a request
// that was read whole and the peer's address, and gives the response the session writes back.
// Routing, methods, HEAD and OPTIONS, CORS, content decoding, ingestion, the wait for the
// commit, pixels, settings, health, readiness and metrics are all decided here; reading,
// deadlines and writing are the session's (session.hpp). Requests that could not be read whole
// are answered by refuse_header() and refuse_body(), so every answer's rules live in this file.
//
// One TrackingApi per IO thread: it owns the ingestor's and the decoder's scratch buffers.
// Sessions of a thread share it and may interleave at the co_await on the commit; nothing a
// request needs after that point lives in a member. The referenced context must outlive it.
//
// Storage is reached only through storage::IntakeLog, so unit tests give it a fake.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "api/api_metrics.hpp"
#include "api/ingestor.hpp"
#include "api/rejection_feed.hpp"
#include "api/source_directory.hpp"
#include "api/sources.hpp"
#include "config/config.hpp"
#include "inbound/webhook_batch.hpp"
#include "net/http_types.hpp"
#include "server/body_decoder.hpp"
#include "server/cors.hpp"
#include "server/request_settings.hpp"
#include "server/routes.hpp"
#include "storage/intake_log.hpp"

namespace sluice::server {

namespace http = net::http;
using net::Request;
using net::Response;

// The other end of the connection, as the socket sees it.
struct Peer {
  std::string_view address;  // IPv4-mapped IPv6 addresses in their IPv4 form
  bool tls = false;          // the connection speaks HTTPS
};

// A response and the route it was given on, for the request metrics.
struct Answer {
  Response response;
  RouteKind route = RouteKind::kNotFound;
  // The request's framing was refused, so nothing after it on the wire can be trusted to be
  // the next request: the session answers and closes.
  bool close = false;
};

// The routes a listener answers; the others are 404 there.
enum class PortRoutes {
  kAll,       // the tracking port without [ops]: tracking, health, readiness and metrics
  kTracking,  // the tracking port with [ops]: public traffic cannot read the metrics
  kOps,       // the ops port: /health, /ready and /metrics only
};

struct TrackingApiContext {
  const RequestSettingsDirectory& settings;  // the [server] rules in force, replaced by reloads
  const api::SourceDirectory& sources;       // the sources in force, replaced by changes
  storage::IntakeLog& log;
  api::ApiMetrics& metrics;
  std::function<std::string()> render_metrics;  // the body of GET /metrics
  // The config generation in force, shown by GET /ready; null: not shown.
  const std::atomic<std::uint64_t>* config_generation = nullptr;
  // What was refused, for the admin API's live tail; null: not published.
  api::RejectionFeed* rejections = nullptr;
};

class TrackingApi {
 public:
  explicit TrackingApi(const TrackingApiContext& context);

  // The answer to a request read whole, body included, on a listener that answers `routes`.
  // The request must outlive the answer; peer is taken by value, so a temporary may be passed
  // to a coroutine started later.
  boost::asio::awaitable<Answer> answer(const Request& request, Peer peer,
                                        PortRoutes routes = PortRoutes::kAll);

  // The answer when the request's header could not be read (ec from the header read, not a
  // disconnect): malformed HTTP, or a Content-Length over the request limit.
  static Answer refuse_header(const boost::system::error_code& ec);
  // The answer when the body grew past the request limit while it was read.
  Answer refuse_body(const Request& request);

  // The body limit of a connection opened now (server.max_request_bytes in force).
  std::size_t body_limit() { return settings_.get()->max_request_bytes; }

  // A JSON error response: {"code","message"}.
  static Response error(unsigned version, http::status status, std::string_view code,
                        std::string_view message);

 private:
  // What one request answers with, in its coroutine's frame: the settings and the sources in
  // force when it started (kept alive until it is answered, whatever is published meanwhile)
  // and, for the routes that take a write key, the source it names once that is known, so that
  // finish() applies that source's CORS rule.
  struct InForce {
    std::shared_ptr<const RequestSettings> settings;
    std::shared_ptr<const api::SourceRegistry> registry;
    const api::Source* source = nullptr;
  };

  // What one request hands the ingestor, besides the request itself.
  struct IngestInput {
    std::string_view body;  // decoded; for webhooks and clicks, the messages made of them
    std::string_view query;
    std::string_view client_ip;
    std::string_view user_agent;  // the pixel's and the click's, for context.userAgent
    // The key in the path (webhooks) or in the signed data (clicks), which stands in for the
    // request's own carriers; empty: the request's Authorization, X-Write-Key and query.
    std::string_view write_key;
    std::optional<config::SourceKind> source_kind = config::SourceKind::kTracking;
    // A generic webhook's items: rejections are reported by item, not by message.
    const inbound::WebhookBatch* webhook = nullptr;
  };

  boost::asio::awaitable<Response> dispatch(const Request& request, const Route& route,
                                            std::string_view query, const Peer& peer,
                                            std::string_view client_ip, InForce& in_force);
  boost::asio::awaitable<Response> ingest(const Request& request, const Route& route,
                                          const IngestInput& input, InForce& in_force);
  boost::asio::awaitable<Response> pixel(const Request& request, const Route& route,
                                         std::string_view query, std::string_view client_ip,
                                         InForce& in_force);
  // POST /v1/webhook/{writeKey}: the body read by its source's kind (inbound/webhook_batch.hpp).
  boost::asio::awaitable<Response> webhook(const Request& request, const Route& route,
                                           std::string_view body, const Peer& peer,
                                           std::string_view client_ip, InForce& in_force);
  // GET /v1/email/click: stores the click when it is signed, and redirects.
  boost::asio::awaitable<Response> email_click(const Request& request, std::string_view query,
                                               std::string_view client_ip, InForce& in_force);
  // 400 invalid_click; source is null when the link names none.
  Response refuse_click(const Request& request, const api::Source* source,
                        std::string_view why) const;
  Response settings(const Request& request, const Route& route, InForce& in_force) const;
  Response ready(const Request& request, const InForce& in_force) const;
  Response metrics(const Request& request) const;
  // 503; in_force.source is null when the request has none (readiness).
  Response unavailable(const Request& request, storage::Admission admission,
                       const InForce& in_force) const;
  // 429 for a request over its source's rate limit.
  Response rate_limited(const Request& request, const api::Source& source,
                        std::chrono::seconds retry_after) const;
  // Counts a request refused whole (reason: sluice_requests_refused_total's) and shows it to
  // the live tail; source is null when the request resolved none.
  void refused(const api::Source* source, std::string_view reason, std::string_view message) const;
  // CORS headers and the Server header, on every answer to a request that was read. The CORS
  // rule is the source's when it has allowed_origins, else the server's.
  void finish(const Request& request, Response& response, const InForce& in_force) const;

  TrackingApiContext context_;
  PublishedView<RequestSettings> settings_;
  api::SourceView sources_;
  api::Ingestor ingestor_;
  BodyDecoder decoder_;
};

}  // namespace sluice::server
