#include "router/destinations/webhook_destination.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include "router/destinations/http_connection.hpp"
#include "router/destinations/webhook_status.hpp"
#include "router/destinations/webhook_url.hpp"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

namespace sluice::router {
namespace {

constexpr std::string_view kUserAgent = "sluice/" SLUICE_VERSION;

// The headers of every request: ours, then the configured ones, which win. Header names are
// case-insensitive, so a configured "user-agent" replaces ours (beast's fields do the same).
std::map<std::string, std::string> request_headers(const config::WebhookDestinationConfig& config,
                                                   const WebhookUrl& url) {
  std::map<std::string, std::string> headers{
      {"Content-Type", "application/json"},
      {"User-Agent", std::string(kUserAgent)},
      {"Host", url.authority},
  };
  for (const auto& header : config.headers) {
    // A named reference, not a structured binding: clang 14 cannot capture those in a lambda.
    const std::string& name = header.first;
    std::erase_if(headers, [&](const auto& ours) {
      return ours.first.size() == name.size() &&
             std::equal(name.begin(), name.end(), ours.first.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
             });
    });
    headers[name] = header.second;
  }
  return headers;
}

DeliveryResult result_for(HttpOutcome outcome) {
  using Failure = HttpOutcome::Failure;
  switch (outcome.failure) {
    case Failure::kNone:
      return result_for_status(outcome.status, outcome.retry_after, outcome.body_prefix,
                               std::chrono::system_clock::now());
    case Failure::kTimeout:
      return DeliveryResult::retry("timeout", std::move(outcome.error));
    case Failure::kConnect:
      return DeliveryResult::retry("connect_failed", std::move(outcome.error));
    case Failure::kTls:
      return DeliveryResult::retry("tls_failed", std::move(outcome.error));
    case Failure::kIo:
      return DeliveryResult::retry("io_error", std::move(outcome.error));
    case Failure::kBadResponse:
      return DeliveryResult::retry("bad_response", std::move(outcome.error));
  }
  return DeliveryResult::retry("io_error", std::move(outcome.error));  // not reached
}

}  // namespace

Result<std::unique_ptr<WebhookDestination>> WebhookDestination::create(
    const config::WebhookDestinationConfig& config) {
  Result<WebhookUrl> url = parse_webhook_url(config.url);
  if (!url.is_ok()) return url.status();
  const auto headers = request_headers(config, *url);
  Result<std::unique_ptr<HttpConnection>> connection =
      HttpConnection::create(std::move(url).value(), headers, config.ca_file);
  if (!connection.is_ok()) return connection.status();
  return std::unique_ptr<WebhookDestination>(
      new WebhookDestination(config, std::move(connection).value()));
}

WebhookDestination::WebhookDestination(const config::WebhookDestinationConfig& config,
                                       std::unique_ptr<HttpConnection> connection)
    : config_(config), connection_(std::move(connection)) {}

WebhookDestination::~WebhookDestination() = default;

DeliveryResult WebhookDestination::deliver(std::span<const OutgoingEvent> events) {
  if (config_.mode == config::WebhookMode::kEvent) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      DeliveryResult result = post(events[i].record.json);
      if (result.kind == DeliveryResult::Kind::kOk) continue;
      if (events.size() > 1) {
        result.detail = "event " + std::to_string(i + 1) + " of " + std::to_string(events.size()) +
                        ": " + result.detail;
      }
      return result;
    }
    return DeliveryResult::ok();
  }
  body_.assign(R"({"batch":[)");
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) body_.push_back(',');
    body_.append(events[i].record.json);
  }
  body_.append("]}");
  return post(body_);
}

void WebhookDestination::close() {
  connection_->close();
}

DeliveryResult WebhookDestination::post(std::string_view body) {
  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  return result_for(connection_->post(body, deadline));
}

}  // namespace sluice::router
