#include "server/session.hpp"

#include <chrono>

#include "net/http_connection.hpp"

namespace sluice::server {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 32 * 1024;
// After refusing an oversize body, read and discard at most this much before closing, so
// the client sees the answer instead of a reset.
constexpr std::size_t kLingerBytes = 8 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kBodyTooLarge = "the request body is larger than the request limit";

net::ConnectionLimits connection_limits(const config::ServerConfig& config) {
  return net::ConnectionLimits{
      .max_header_bytes = kHeaderLimit,
      .max_body_bytes = config.max_request_bytes,
      .header_timeout = config.header_timeout,
      .idle_timeout = config.idle_timeout,
      .body_timeout = config.body_timeout,
      .linger_bytes = kLingerBytes,
      .linger_time = kLingerTime,
  };
}

std::string client_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return address.to_v6().to_v4().to_string();
  }
  return address.to_string();
}

// The left-most address of X-Forwarded-For: the original client, as a trusted proxy saw it.
std::string forwarded_client(std::string_view header) {
  auto comma = header.find(',');
  std::string_view first = header.substr(0, comma);
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  return std::string(first);
}

// HEAD is answered like GET without the body (RFC 9110 9.3.2), except on the pixel routes:
// their GET stores an event, and HEAD must not change anything.
bool answers_head(const Route& route) {
  return route.method == "GET" && route.kind != RouteKind::kPixel;
}

bool method_allowed(const Request& request, const Route& route) {
  return request.method_string() == route.method ||
         (request.method() == http::verb::head && answers_head(route));
}

}  // namespace

asio::awaitable<void> run_session(SessionEnvironment env, tcp::socket socket) {
  const std::string peer = client_address(socket);
  net::HttpConnection connection(std::move(socket), env.tracker, connection_limits(env.config));

  while (!connection.stop_requested()) {
    net::RequestParser parser;
    const auto header_ec = co_await connection.read_header(parser);
    if (header_ec) {
      if (net::is_disconnect(header_ec)) break;
      // Beast refuses a Content-Length over the body limit while reading the header.
      bool oversize = header_ec == http::error::body_limit;
      // Otherwise the HTTP is malformed: say so and close, the stream cannot be resynchronised.
      Response response =
          oversize ? RequestHandler::error(11, http::status::bad_request, "payload_too_large",
                                           kBodyTooLarge)
                   : RequestHandler::error(11, http::status::bad_request, "bad_request",
                                           "malformed HTTP request: " + header_ec.message());
      co_await connection.write(response);
      env.metrics.request_completed(RouteKind::kNotFound, 400, 0);
      if (oversize) co_await connection.linger_close();
      break;
    }

    auto started = std::chrono::steady_clock::now();
    const Request& request = parser.get();
    std::string_view target = request.target();
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    Route route = match_route(path);

    Response response;
    const auto body_ec = co_await connection.read_body(parser);
    if (body_ec == http::error::body_limit) {
      response = RequestHandler::error(request.version(), http::status::bad_request,
                                       "payload_too_large", kBodyTooLarge);
    } else if (body_ec) {
      break;  // timeout or the client went away mid-body: nobody to answer
    } else if (request.method() == http::verb::options) {
      response = env.cors.preflight(request);
      if (route.kind == RouteKind::kNotFound) {
        response = RequestHandler::error(request.version(), http::status::not_found, "not_found",
                                         "no such endpoint");
      }
    } else if (route.kind != RouteKind::kNotFound && !method_allowed(request, route)) {
      response = RequestHandler::error(request.version(), http::status::method_not_allowed,
                                       "method_not_allowed",
                                       std::string(path) + " accepts " + std::string(route.method));
      response.set(http::field::allow, std::string(route.method) +
                                           (answers_head(route) ? ", HEAD, OPTIONS" : ", OPTIONS"));
    } else {
      std::string client_ip = peer;
      if (env.config.trust_forwarded_for) {
        auto forwarded = request["X-Forwarded-For"];
        if (!forwarded.empty()) client_ip = forwarded_client(forwarded);
      }
      response = co_await env.handler.handle(request, route, query, client_ip);
    }

    env.cors.apply(request, response);
    response.set(http::field::server, "sluice");
    // Not kept alive after a body over the limit: close() then lingers. Whatever the status,
    // an answer to HEAD carries no body: the client would read it as the next response.
    const auto write_ec = request.method() == http::verb::head
                              ? co_await connection.write_header(response)
                              : co_await connection.write(response);
    env.metrics.request_completed(
        route.kind, response.result_int(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (write_ec || !response.keep_alive()) break;
  }
  co_await connection.close();
}

}  // namespace sluice::server
