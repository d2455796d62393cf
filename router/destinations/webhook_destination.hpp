#pragma once

// The webhook destination: events POSTed as JSON to an http:// or https:// URL.
//   mode = batch: one request per batch, body {"batch":[<event>,...]}
//   mode = event: one request per event, body <event>, in order; the first failure ends the
//                 call and is its answer, and the loop delivers the whole batch again (events
//                 already accepted are sent twice: at least once)
// Each event is the stored, enriched JSON, inserted verbatim. Every request carries
// Content-Type: application/json, User-Agent: sluice/<version> and Host, then the configured
// headers, which replace any of those they name.
//
// The answer's status decides (webhook_status.hpp): 2xx acknowledges; 408, 429 and 5xx retry,
// after Retry-After when given; other statuses dead-letter the batch. No answer (connect, TLS,
// I/O failure, timeout, malformed answer) retries. Reasons: http_<status>, timeout,
// connect_failed, tls_failed, io_error, bad_response.
//
// Each request, from connecting to the end of the answer, is bounded by config.timeout; the
// connection is kept alive between requests (http_connection.hpp).
//
// Not thread-safe; driven by one DeliveryLane.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "config/config.hpp"
#include "router/destination.hpp"

namespace sluice::router {

class HttpConnection;

class WebhookDestination final : public Destination {
 public:
  // An error when the URL is invalid or the TLS settings cannot be loaded.
  static Result<std::unique_ptr<WebhookDestination>> create(
      const config::WebhookDestinationConfig& config);
  ~WebhookDestination() override;

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override;
  void close() override;

 private:
  WebhookDestination(const config::WebhookDestinationConfig& config,
                     std::unique_ptr<HttpConnection> connection);

  DeliveryResult post(std::string_view body);

  const config::WebhookDestinationConfig config_;
  std::unique_ptr<HttpConnection> connection_;
  std::string body_;  // a batch's request body, reused
};

}  // namespace sluice::router
