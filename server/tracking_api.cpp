#include "server/tracking_api.hpp"

#include <algorithm>
#include <chrono>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/pixel.hpp"
#include "api/responses.hpp"
#include "inbound/click_links.hpp"
#include "server/commit.hpp"

namespace sluice::server {
namespace {

constexpr std::string_view kBodyTooLarge = "the request body is larger than the request limit";

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

// The error code and message of a body that could not be decoded.
struct DecodeRefusal {
  std::string_view code;
  std::string_view message;
};

DecodeRefusal refusal_of(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kUnsupportedEncoding:
      return {"unsupported_encoding", "Content-Encoding must be gzip, deflate or identity"};
    case DecodeStatus::kCorrupt:
      return {"bad_encoding", "the body is not valid data of its Content-Encoding"};
    case DecodeStatus::kTooLarge:
      return {"payload_too_large", "the decoded body is larger than the request limit"};
    case DecodeStatus::kOk:
      break;
  }
  return {};
}

// The left-most address of X-Forwarded-For: the original client, as a trusted proxy saw it.
std::string_view forwarded_client(std::string_view header) {
  std::string_view first = header.substr(0, header.find(','));
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  return first;
}

// HEAD is answered like GET without the body (RFC 9110 9.3.2), except on the pixel and click
// routes: their GET stores an event, and HEAD must not change anything.
bool answers_head(const Route& route) {
  return route.method == "GET" && route.kind != RouteKind::kPixel &&
         route.kind != RouteKind::kEmailClick;
}

bool method_allowed(const Request& request, const Route& route) {
  return request.method_string() == route.method ||
         (request.method() == http::verb::head && answers_head(route));
}

// RFC 9112 6.1: a request whose transfer coding is not chunked alone has no length the server
// can trust; reading it as bodiless would run its body as the next request (smuggling).
bool transfer_coding_refused(const Request& request) {
  if (request.count(http::field::transfer_encoding) == 0) return false;
  std::string_view coding = request[http::field::transfer_encoding];
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
    coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
    coding.remove_suffix(1);
  return !boost::algorithm::iequals(coding, "chunked");
}

// The URL the client called, as it would have written it: Mandrill signs the one it was given.
std::string request_url(const Request& request, const Peer& peer, const RequestSettings& settings) {
  std::string_view scheme = peer.tls ? "https" : "http";
  if (settings.trust_forwarded_for) {
    const std::string_view forwarded = request["X-Forwarded-Proto"];
    if (forwarded == "https" || forwarded == "http") scheme = forwarded;
  }
  std::string url(scheme);
  url += "://";
  url += request[http::field::host];
  url += request.target();
  return url;
}

// The index a message of the request is reported by: its item's for a generic webhook (whose
// items may not all become messages), else its own.
std::size_t reported_index(const inbound::WebhookBatch* webhook, std::size_t message) {
  if (webhook == nullptr || message >= webhook->item_of_message.size()) return message;
  return webhook->item_of_message[message];
}

// Rejections of a generic webhook's messages, renumbered by the items they came from, with the
// items no message could be made of among them.
void report_by_item(const inbound::WebhookBatch& webhook, std::vector<api::Rejection>& rejected) {
  for (api::Rejection& rejection : rejected) {
    rejection.index = reported_index(&webhook, rejection.index);
  }
  for (const auto& item : webhook.rejected_items) {
    rejected.push_back(api::Rejection{item.index, "no_event_name", item.message});
  }
  std::sort(rejected.begin(), rejected.end(),
            [](const api::Rejection& a, const api::Rejection& b) { return a.index < b.index; });
}

// The path and query of an absolute-form target ("http://host/v1/track?x"), which a server must
// accept (RFC 9112 3.2.2); other targets as they are.
std::string_view origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        boost::algorithm::iequals(target.substr(0, scheme.size()), scheme)) {
      const std::string_view rest = target.substr(scheme.size());
      const auto path = rest.find_first_of("/?");
      if (path == std::string_view::npos) return "/";
      return rest[path] == '/' ? rest.substr(path) : std::string_view("/");
    }
  }
  return target;
}

bool is_ops_route(RouteKind kind) {
  return kind == RouteKind::kHealth || kind == RouteKind::kReady || kind == RouteKind::kMetrics;
}

// The route, or no route when the listener does not answer it.
Route answered_on(const Route& route, PortRoutes routes) {
  const bool ops = is_ops_route(route.kind);
  if ((routes == PortRoutes::kTracking && ops) || (routes == PortRoutes::kOps && !ops)) {
    return Route{};
  }
  return route;
}

Response not_found(const Request& request) {
  Response response = TrackingApi::error(request.version(), http::status::not_found, "not_found",
                                         "no such endpoint");
  response.keep_alive(request.keep_alive());
  return response;
}

}  // namespace

TrackingApi::TrackingApi(const TrackingApiContext& context)
    : context_(context),
      settings_(context.settings),
      sources_(context.sources),
      ingestor_(settings_.get()->ingest),
      decoder_(settings_.get()->max_request_bytes) {
  ingestor_.set_dedup(context.log.dedups());
}

Response TrackingApi::error(unsigned version, http::status status, std::string_view code,
                            std::string_view message) {
  Response response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = api::error_body(code, message);
  response.prepare_payload();
  return response;
}

Answer TrackingApi::refuse_header(const boost::system::error_code& ec) {
  // Beast refuses a Content-Length over the body limit while it reads the header. Anything
  // else is malformed HTTP, after which the stream cannot be resynchronised.
  if (ec == http::error::body_limit) {
    return Answer{error(11, http::status::bad_request, "payload_too_large", kBodyTooLarge)};
  }
  return Answer{error(11, http::status::bad_request, "bad_request",
                      "malformed HTTP request: " + ec.message())};
}

Answer TrackingApi::refuse_body(const Request& request) {
  const std::string_view target = origin_form(request.target());
  Answer answer{
      error(request.version(), http::status::bad_request, "payload_too_large", kBodyTooLarge),
      match_route(target.substr(0, target.find('?'))).kind};
  finish(request, answer.response, InForce{settings_.get()});
  return answer;
}

void TrackingApi::finish(const Request& request, Response& response,
                         const InForce& in_force) const {
  const CorsPolicy& cors = in_force.settings->cors;
  const api::Source* source = in_force.source;
  const std::vector<std::string>* origins =
      source != nullptr ? source->controls.allowed_origins() : nullptr;
  if (origins == nullptr) {
    cors.apply(request, response);
  } else if (!cors.apply(request, response, *origins)) {
    context_.metrics.cors_refused(*source);
  }
  response.set(http::field::server, "sluice");
}

boost::asio::awaitable<Answer> TrackingApi::answer(const Request& request, Peer peer,
                                                   PortRoutes routes) {
  InForce in_force{settings_.get()};
  if (transfer_coding_refused(request)) {
    Answer refused{error(request.version(), http::status::bad_request, "bad_request",
                         "Transfer-Encoding must be chunked alone"),
                   RouteKind::kNotFound, /*close=*/true};
    finish(request, refused.response, in_force);
    co_return refused;
  }
  // RFC 9112 3.2: an HTTP/1.1 request without Host is refused.
  if (request.version() >= 11 && request.count(http::field::host) == 0) {
    Answer refused{error(request.version(), http::status::bad_request, "bad_request",
                         "an HTTP/1.1 request must carry a Host header")};
    finish(request, refused.response, in_force);
    co_return refused;
  }
  const std::string_view target = origin_form(request.target());
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const Route route = answered_on(match_route(path), routes);

  Answer answer{{}, route.kind};
  if (request.method() == http::verb::options) {
    answer.response = route.kind == RouteKind::kNotFound
                          ? not_found(request)
                          : in_force.settings->cors.preflight(request);
  } else if (request.method() == http::verb::head && route.kind == RouteKind::kWebhook) {
    // Providers check a webhook URL with HEAD before they post to it (Mandrill does).
    answer.response = json_response(request, http::status::ok, api::success_body());
  } else if (route.kind != RouteKind::kNotFound && !method_allowed(request, route)) {
    answer.response =
        error(request.version(), http::status::method_not_allowed, "method_not_allowed",
              std::string(path) + " accepts " + std::string(route.method));
    answer.response.set(
        http::field::allow,
        std::string(route.method) + (answers_head(route) ? ", HEAD, OPTIONS" : ", OPTIONS"));
  } else {
    std::string_view client_ip = peer.address;
    if (in_force.settings->trust_forwarded_for) {
      const auto forwarded = request["X-Forwarded-For"];
      if (!forwarded.empty()) client_ip = forwarded_client(forwarded);
    }
    in_force.registry = sources_.get();
    answer.response = co_await dispatch(request, route, query, peer, client_ip, in_force);
  }
  finish(request, answer.response, in_force);
  co_return answer;
}

boost::asio::awaitable<Response> TrackingApi::dispatch(const Request& request, const Route& route,
                                                       std::string_view query, const Peer& peer,
                                                       std::string_view client_ip,
                                                       InForce& in_force) {
  switch (route.kind) {
    case RouteKind::kSingle:
    case RouteKind::kBatch:
    case RouteKind::kObjects:
    case RouteKind::kWebhook: {
      std::string_view body;
      decoder_.set_limit(in_force.settings->max_request_bytes);
      const DecodeStatus status =
          decoder_.decode(request[http::field::content_encoding], request.body(), &body);
      if (status != DecodeStatus::kOk) {
        const DecodeRefusal refusal = refusal_of(status);
        refused(nullptr, refusal.code, refusal.message);
        Response response =
            error(request.version(), http::status::bad_request, refusal.code, refusal.message);
        response.keep_alive(request.keep_alive());
        co_return response;
      }
      if (route.kind == RouteKind::kWebhook) {
        co_return co_await webhook(request, route, body, peer, client_ip, in_force);
      }
      co_return co_await ingest(request, route, IngestInput{body, query, client_ip}, in_force);
    }
    case RouteKind::kEmailClick:
      co_return co_await email_click(request, query, client_ip, in_force);
    case RouteKind::kTelemetry:
      context_.metrics.telemetry_received();
      co_return json_response(request, http::status::ok, api::success_body());
    case RouteKind::kPixel:
      co_return co_await pixel(request, route, query, client_ip, in_force);
    case RouteKind::kSettings:
      co_return settings(request, route, in_force);
    case RouteKind::kHealth:
      co_return json_response(request, http::status::ok, R"({"status":"ok"})");
    case RouteKind::kReady:
      co_return ready(request, in_force);
    case RouteKind::kMetrics:
      co_return metrics(request);
    case RouteKind::kNotFound:
      break;
  }
  co_return not_found(request);
}

boost::asio::awaitable<Response> TrackingApi::ingest(const Request& request, const Route& route,
                                                     const IngestInput& input, InForce& in_force) {
  api::IngestRequest ingest_request;
  ingest_request.body = input.body;
  ingest_request.path_type = route.kind == RouteKind::kSingle ? route.type : std::nullopt;
  ingest_request.client_side = route.client_side;
  ingest_request.keys = input.write_key.empty()
                            ? api::KeyCarriers{request[http::field::authorization],
                                               request["X-Write-Key"], input.query}
                            : api::KeyCarriers{{}, input.write_key, {}};
  ingest_request.client_ip = input.client_ip;
  ingest_request.user_agent = input.user_agent;
  ingest_request.received_at_ms = now_ms();
  ingest_request.source_kind = input.source_kind;

  // In this coroutine's frame, not a member: other sessions of the thread run while this one
  // waits for its commit.
  api::IngestOutcome outcome;
  ingestor_.set_limits(in_force.settings->ingest);
  if (route.kind == RouteKind::kObjects) {
    ingestor_.ingest_objects(*in_force.registry, ingest_request, outcome);
  } else {
    ingestor_.ingest(*in_force.registry, ingest_request, outcome);
  }
  in_force.source = outcome.source;
  auto& metrics = context_.metrics;
  if (outcome.error != api::RequestError::kNone) {
    refused(outcome.source, api::to_metric_reason(outcome.error), outcome.detail);
    co_return json_response(request, http::status::bad_request,
                            api::error_body(api::to_code(outcome.error), outcome.detail));
  }
  // Tokens are taken only for a request that is otherwise valid, and only for the events it
  // would store. Refused, it is refused whole, before its rejections are counted: the client
  // sends it again later and they would be counted twice.
  api::RateLimiter* charged = nullptr;  // the bucket the request took its tokens from
  if (api::RateLimiter* limiter = outcome.source->controls.rate_limiter();
      limiter != nullptr && !outcome.records.empty()) {
    const api::RateLimiter::Decision decision =
        limiter->try_take(outcome.records.size(), api::RateLimiter::Clock::now());
    if (!decision.allowed) co_return rate_limited(request, *outcome.source, decision.retry_after);
    charged = limiter;
  }
  if (input.webhook != nullptr) report_by_item(*input.webhook, outcome.rejected);
  for (const auto& rejection : outcome.rejected) {
    metrics.event_rejected(outcome.source, rejection.code);
  }
  if (context_.rejections != nullptr) {
    context_.rejections->publish(outcome.source->name, outcome.rejected,
                                 ingest_request.received_at_ms);
  }
  if (outcome.records.empty()) {
    co_return json_response(request, http::status::ok, api::success_body(outcome.rejected));
  }

  const std::size_t to_store = outcome.records.size();
  const CommitResult commit =
      co_await async_commit(context_.log, std::move(outcome.records), std::move(outcome.dedup_keys),
                            boost::asio::use_awaitable);
  if (commit.admission != storage::Admission::kAccepted || !commit.append.ok) {
    // Nothing was stored: the client sends the request again, and its tokens with it.
    if (charged != nullptr) charged->give_back(to_store);
    co_return unavailable(request,
                          commit.admission != storage::Admission::kAccepted
                              ? commit.admission
                              : storage::Admission::kClosed,
                          in_force);
  }
  // Duplicates were accepted but not stored: received_total counts what was stored.
  const auto& stored_before = commit.append.duplicates;
  for (const storage::DuplicateRecord& duplicate : stored_before) {
    --outcome.accepted_by_type[static_cast<std::size_t>(duplicate.type)];
  }
  for (int t = 0; t < storage::kEventTypeCount; ++t) {
    metrics.events_accepted(*outcome.source, static_cast<storage::EventType>(t),
                            outcome.accepted_by_type[t]);
  }
  if (stored_before.empty()) {
    co_return json_response(request, http::status::ok, api::success_body(outcome.rejected));
  }
  metrics.events_duplicate(*outcome.source, stored_before.size());
  std::vector<api::Duplicate> duplicates;
  duplicates.reserve(stored_before.size());
  for (const storage::DuplicateRecord& duplicate : stored_before) {
    duplicates.push_back(
        api::Duplicate{reported_index(input.webhook, outcome.record_index.at(duplicate.record)),
                       duplicate.message_id});
  }
  co_return json_response(
      request, http::status::ok,
      api::success_body(outcome.rejected, duplicates, route.kind == RouteKind::kSingle));
}

boost::asio::awaitable<Response> TrackingApi::pixel(const Request& request, const Route& route,
                                                    std::string_view query,
                                                    std::string_view client_ip, InForce& in_force) {
  // A pixel always answers with the image: its errors are counted, never shown.
  if (auto message = api::pixel_message_json(query)) {
    Route single = route;
    single.kind = RouteKind::kSingle;
    co_await ingest(request, single,
                    IngestInput{*message, query, client_ip, request[http::field::user_agent]},
                    in_force);
  } else {
    refused(nullptr, "invalid_json", "the pixel's data parameter is not a JSON message");
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

boost::asio::awaitable<Response> TrackingApi::webhook(const Request& request, const Route& route,
                                                      std::string_view body, const Peer& peer,
                                                      std::string_view client_ip,
                                                      InForce& in_force) {
  Route batch = route;
  batch.kind = RouteKind::kBatch;
  IngestInput input{{}, {}, client_ip};
  input.write_key = route.write_key;
  const std::int64_t received_at_ms = now_ms();
  const api::KeyLookup found = in_force.registry->lookup(route.write_key, received_at_ms);
  if (!found.accepted() || found.source->kind == config::SourceKind::kTracking) {
    // The ingestor words the refusal (unknown, revoked, disabled, or a tracking source's key)
    // and counts it, as for any other route.
    input.body = R"({"batch":[]})";
    input.source_kind = config::SourceKind::kWebhook;
    co_return co_await ingest(request, batch, input, in_force);
  }
  const api::Source& source = *found.source;
  in_force.source = &source;
  const std::string url = request_url(request, peer, *in_force.settings);
  inbound::WebhookRequest webhook_request{
      body, request[http::field::content_type],
      [&request](std::string_view name) -> std::string_view { return request[name]; }, url,
      received_at_ms};
  const inbound::WebhookBatch translated =
      inbound::webhook_batch(source.kind, source.settings, source.name, webhook_request);
  if (translated.status != inbound::ReadStatus::kOk) {
    const std::string_view code = translated.status == inbound::ReadStatus::kInvalidSignature
                                      ? "invalid_signature"
                                      : "invalid_body";
    refused(&source, code, translated.message);
    co_return json_response(request, http::status::bad_request,
                            api::error_body(code, translated.message));
  }
  context_.metrics.email_events_unmapped(source, translated.unmapped);
  input.body = translated.batch;
  input.source_kind = source.kind;
  if (source.kind == config::SourceKind::kWebhook) input.webhook = &translated;
  co_return co_await ingest(request, batch, input, in_force);
}

boost::asio::awaitable<Response> TrackingApi::email_click(const Request& request,
                                                          std::string_view query,
                                                          std::string_view client_ip,
                                                          InForce& in_force) {
  const inbound::ClickParse parse = inbound::parse_click_query(query);
  if (!parse.request) co_return refuse_click(request, nullptr, parse.error);
  const inbound::ClickRequest& click = *parse.request;
  const api::KeyLookup found = in_force.registry->lookup(click.write_key, now_ms());
  if (found.source == nullptr) co_return refuse_click(request, nullptr, "unknown write key");
  in_force.source = found.source;
  if (!inbound::click_signature_valid(click, found.source->settings.link_secret)) {
    co_return refuse_click(request, found.source,
                           found.source->settings.link_secret.empty()
                               ? "the source has no link_secret: it takes no clicks"
                               : "the link's signature does not match");
  }
  if (auto refused = inbound::check_click_target(click.target)) {
    co_return refuse_click(request, found.source, *refused);
  }
  // A reader who clicked is sent on whatever becomes of the event; one that could not be
  // stored (revoked key, full backlog, failed commit) is counted as lost.
  const std::string message = inbound::click_message_json(click);
  Route single{RouteKind::kSingle, storage::EventType::kTrack, /*client_side=*/true};
  IngestInput input{message, {}, client_ip, request[http::field::user_agent], click.write_key};
  input.source_kind = std::nullopt;
  const Response stored = co_await ingest(request, single, input, in_force);
  if (stored.result() != http::status::ok) context_.metrics.email_click_lost(*found.source);
  Response response{http::status::found, request.version()};
  response.set(http::field::location, click.target);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  co_return response;
}

Response TrackingApi::refuse_click(const Request& request, const api::Source* source,
                                   std::string_view why) const {
  refused(source, "invalid_click", why);
  return json_response(
      request, http::status::bad_request,
      api::error_body("invalid_click", "the click link is refused: " + std::string(why)));
}

Response TrackingApi::settings(const Request& request, const Route& route,
                               InForce& in_force) const {
  in_force.source = in_force.registry->find_by_write_key(route.write_key);
  if (in_force.source == nullptr) {
    return json_response(request, http::status::not_found,
                         api::error_body("invalid_write_key", "unknown write key"));
  }
  Response response =
      json_response(request, http::status::ok,
                    api::settings_body(route.write_key, in_force.settings->public_host));
  response.set(http::field::cache_control, "public, max-age=300");
  return response;
}

Response TrackingApi::ready(const Request& request, const InForce& in_force) const {
  const storage::Admission admission = context_.log.admission();
  if (admission == storage::Admission::kAccepted) {
    if (context_.config_generation == nullptr) {
      return json_response(request, http::status::ok, R"({"status":"ready"})");
    }
    return json_response(
        request, http::status::ok,
        R"({"status":"ready","config_generation":)" +
            std::to_string(context_.config_generation->load(std::memory_order_acquire)) + "}");
  }
  return unavailable(request, admission, in_force);
}

Response TrackingApi::metrics(const Request& request) const {
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4");
  response.body() = context_.render_metrics ? context_.render_metrics() : std::string();
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

Response TrackingApi::unavailable(const Request& request, storage::Admission admission,
                                  const InForce& in_force) const {
  std::string_view code = "storage_unavailable";
  std::string_view message = "the event log is not accepting writes";
  if (admission == storage::Admission::kBacklogFull) {
    code = "backlog_full";
    message = "the undelivered backlog is over its limit; retry later";
  } else if (admission == storage::Admission::kPendingFull) {
    code = "overloaded";
    message = "too many events are waiting to be stored; retry later";
  }
  refused(in_force.source, code, message);
  Response response =
      json_response(request, http::status::service_unavailable, api::error_body(code, message));
  response.set(http::field::retry_after, std::to_string(in_force.settings->retry_after.count()));
  return response;
}

void TrackingApi::refused(const api::Source* source, std::string_view reason,
                          std::string_view message) const {
  context_.metrics.request_refused(source, reason);
  if (context_.rejections != nullptr && context_.rejections->listening()) {
    context_.rejections->publish_refusal(
        source != nullptr ? std::string_view(source->name) : std::string_view(), reason, message,
        now_ms());
  }
}

Response TrackingApi::rate_limited(const Request& request, const api::Source& source,
                                   std::chrono::seconds retry_after) const {
  refused(&source, "rate_limited", "over the source's rate limit");
  const std::string seconds = std::to_string(retry_after.count());
  Response response = json_response(
      request, http::status::too_many_requests,
      api::error_body("rate_limited", "source \"" + source.name +
                                          "\" is over its rate limit; nothing of this request "
                                          "was stored: send it again in " +
                                          seconds + " s"));
  response.set(http::field::retry_after, seconds);
  // Some SDKs read the reset time rather than Retry-After; both say the same here.
  response.set("X-RateLimit-Reset", seconds);
  return response;
}

}  // namespace sluice::server
