#include "server/request_handler.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <prometheus/text_serializer.h>

#include "api/auth.hpp"
#include "api/pixel.hpp"
#include "api/responses.hpp"
#include "server/commit.hpp"

namespace sluice::server {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Response json_response(const Request& request, http::status status, std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

std::string_view error_message(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kUnsupportedEncoding:
      return "Content-Encoding must be gzip, deflate or identity";
    case DecodeStatus::kCorrupt:
      return "the body is not valid data of its Content-Encoding";
    case DecodeStatus::kTooLarge:
      return "the decoded body is larger than the request limit";
    case DecodeStatus::kOk:
      break;
  }
  return "";
}

std::string_view error_code(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kUnsupportedEncoding:
      return "unsupported_encoding";
    case DecodeStatus::kCorrupt:
      return "bad_encoding";
    case DecodeStatus::kTooLarge:
      return "payload_too_large";
    case DecodeStatus::kOk:
      break;
  }
  return "";
}

}  // namespace

RequestHandler::RequestHandler(const HandlerContext& context)
    : context_(context),
      ingestor_(context.sources, api::IngestLimits{context.server.max_message_bytes,
                                                   context.server.max_batch_events}),
      decoder_(context.server.max_request_bytes) {}

Response RequestHandler::error(unsigned version, http::status status, std::string_view code,
                               std::string_view message) {
  Response response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = api::error_body(code, message);
  response.prepare_payload();
  return response;
}

boost::asio::awaitable<Response> RequestHandler::handle(const Request& request, const Route& route,
                                                        std::string_view query,
                                                        std::string_view client_ip) {
  switch (route.kind) {
    case RouteKind::kSingle:
    case RouteKind::kBatch: {
      std::string_view body;
      DecodeStatus status =
          decoder_.decode(request[http::field::content_encoding], request.body(), &body);
      if (status != DecodeStatus::kOk) {
        context_.api_metrics.request_refused(error_code(status));
        Response response = error(request.version(), http::status::bad_request, error_code(status),
                                  error_message(status));
        response.keep_alive(request.keep_alive());
        co_return response;
      }
      co_return co_await ingest(request, route, body, query, client_ip);
    }
    case RouteKind::kTelemetry:
      context_.api_metrics.telemetry_received();
      co_return json_response(request, http::status::ok, api::success_body());
    case RouteKind::kPixel:
      co_return co_await pixel(request, route, query, client_ip);
    case RouteKind::kSettings:
      co_return settings(request, route);
    case RouteKind::kHealth:
      co_return json_response(request, http::status::ok, R"({"status":"ok"})");
    case RouteKind::kReady:
      co_return ready(request);
    case RouteKind::kMetrics:
      co_return metrics(request);
    case RouteKind::kNotFound:
      break;
  }
  Response response =
      error(request.version(), http::status::not_found, "not_found", "no such endpoint");
  response.keep_alive(request.keep_alive());
  co_return response;
}

boost::asio::awaitable<Response> RequestHandler::ingest(const Request& request, const Route& route,
                                                        std::string_view body,
                                                        std::string_view query,
                                                        std::string_view client_ip) {
  auto basic_key = api::write_key_from_authorization(request[http::field::authorization]);
  std::string extension_key(request["X-Write-Key"]);
  if (extension_key.empty()) {
    extension_key = api::query_parameter(query, "writeKey")
                        .value_or(api::query_parameter(query, "writekey").value_or(""));
  }
  api::IngestRequest ingest_request;
  ingest_request.body = body;
  ingest_request.path_type = route.kind == RouteKind::kSingle ? route.type : std::nullopt;
  ingest_request.client_side = route.client_side;
  ingest_request.basic_write_key = basic_key ? std::string_view(*basic_key) : std::string_view{};
  ingest_request.extension_write_key = extension_key;
  ingest_request.client_ip = client_ip;
  ingest_request.received_at_ms = now_ms();

  ingestor_.ingest(ingest_request, outcome_);
  auto& metrics = context_.api_metrics;
  if (outcome_.error != api::RequestError::kNone) {
    auto code = api::to_code(outcome_.error);
    metrics.request_refused(code);
    co_return json_response(request, http::status::bad_request,
                            api::error_body(code, outcome_.detail));
  }
  for (const auto& rejection : outcome_.rejected) {
    metrics.event_rejected(outcome_.source, rejection.code);
  }
  // Everything the answer needs is taken out of outcome_ now: another session on this thread
  // may reuse it while this one waits for the commit.
  std::string success = api::success_body(outcome_.rejected);
  if (outcome_.records.empty()) co_return json_response(request, http::status::ok, success);
  const api::Source& source = *outcome_.source;
  auto accepted = outcome_.accepted_by_type;

  CommitResult commit =
      co_await async_commit(context_.log, std::move(outcome_.records), boost::asio::use_awaitable);
  if (commit.admission != storage::Admission::kAccepted)
    co_return unavailable(request, commit.admission);
  if (!commit.append.ok) co_return unavailable(request, storage::Admission::kClosed);
  for (int t = 0; t < storage::kEventTypeCount; ++t) {
    metrics.events_accepted(source, static_cast<storage::EventType>(t), accepted[t]);
  }
  co_return json_response(request, http::status::ok, std::move(success));
}

boost::asio::awaitable<Response> RequestHandler::pixel(const Request& request, const Route& route,
                                                       std::string_view query,
                                                       std::string_view client_ip) {
  // A pixel always answers with the image: its errors are counted, never shown.
  if (auto message = api::pixel_message_json(query)) {
    Route single = route;
    single.kind = RouteKind::kSingle;
    co_await ingest(request, single, *message, query, client_ip);
  } else {
    context_.api_metrics.request_refused("invalid_json");
  }
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "image/gif");
  response.set(http::field::cache_control, "no-cache, no-store, must-revalidate");
  response.set(http::field::pragma, "no-cache");
  response.set(http::field::expires, "0");
  response.body() = std::string(api::transparent_gif());
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  co_return response;
}

Response RequestHandler::settings(const Request& request, const Route& route) const {
  if (!context_.sources.find_by_write_key(route.write_key)) {
    return json_response(request, http::status::not_found,
                         api::error_body("invalid_write_key", "unknown write key"));
  }
  Response response = json_response(
      request, http::status::ok, api::settings_body(route.write_key, context_.server.public_host));
  response.set(http::field::cache_control, "public, max-age=300");
  return response;
}

Response RequestHandler::ready(const Request& request) const {
  storage::Admission admission = context_.log.admission();
  if (admission == storage::Admission::kAccepted) {
    return json_response(request, http::status::ok, R"({"status":"ready"})");
  }
  return unavailable(request, admission);
}

Response RequestHandler::metrics(const Request& request) const {
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4");
  response.body() = prometheus::TextSerializer().Serialize(context_.registry.Collect());
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

Response RequestHandler::unavailable(const Request& request, storage::Admission admission) const {
  std::string_view code = "storage_unavailable";
  std::string_view message = "the event log is not accepting writes";
  if (admission == storage::Admission::kBacklogFull) {
    code = "backlog_full";
    message = "the undelivered backlog is over its limit; retry later";
  } else if (admission == storage::Admission::kPendingFull) {
    code = "overloaded";
    message = "too many events are waiting to be stored; retry later";
  }
  context_.api_metrics.request_refused(code);
  Response response =
      json_response(request, http::status::service_unavailable, api::error_body(code, message));
  response.set(http::field::retry_after, std::to_string(context_.server.retry_after.count()));
  return response;
}

}  // namespace sluice::server
