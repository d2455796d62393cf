#include "admin/admin_session.hpp"

#include <chrono>
#include <exception>
#include <string>

#include <spdlog/spdlog.h>

#include "admin/admin_routes.hpp"
#include "admin/ui_assets.hpp"
#include "net/http_connection.hpp"

namespace sluice::admin {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// After an answer that leaves a body unread (401, 413), read and discard at most this much
// before closing, so the client reads the answer instead of a connection reset.
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::seconds(1);

net::ConnectionLimits connection_limits(const AdminLimits& limits) {
  return net::ConnectionLimits{
      .max_header_bytes = limits.max_header_bytes,
      .max_body_bytes = limits.max_body_bytes,
      .header_timeout = limits.header_timeout,
      .idle_timeout = limits.idle_timeout,
      .body_timeout = limits.body_timeout,
      .linger_bytes = kLingerBytes,
      .linger_time = kLingerTime,
  };
}

std::string peer_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// The answer to a request whose header could not be read as one.
Response header_failure(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit) {
    return AdminHandler::error(11, http::status::payload_too_large, "payload_too_large",
                               "the request body is larger than the admin API accepts");
  }
  if (ec == http::error::header_limit) {
    return AdminHandler::error(11, http::status::request_header_fields_too_large,
                               "headers_too_large", "the request headers are too large");
  }
  return AdminHandler::error(11, http::status::bad_request, "bad_request",
                             "malformed HTTP request: " + ec.message());
}

// A request path exception (a RouterControl implementation that throws) costs its request a
// 500, not the connection or the admin thread.
Response answer(AdminHandler& handler, const Request& request) {
  try {
    return handler.handle(request);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", std::string(request.method_string()),
                  redacted_target(request.target()), e.what());
    return AdminHandler::error(request.version(), http::status::internal_server_error,
                               "internal_error", "the request failed; see the server log");
  }
}

// The answer to HEAD has the headers of the answer to GET and no body (RFC 9110 9.3.2).
asio::awaitable<boost::system::error_code> write_answer(net::HttpConnection& connection,
                                                        const Request& request,
                                                        Response& response) {
  if (request.method() != http::verb::head) co_return co_await connection.write(response);
  co_return co_await connection.write_header(response);
}

bool is_tail_stream(const Request& request) {
  const std::string_view target = request.target();
  return request.method() == http::verb::get &&
         match_admin_route(target.substr(0, target.find('?'))).kind == AdminRouteKind::kTail;
}

}  // namespace

asio::awaitable<void> run_admin_session(AdminSessionEnvironment env, tcp::socket socket) {
  const std::string peer = peer_address(socket);
  net::HttpConnection connection(boost::beast::tcp_stream(std::move(socket)), env.tracker,
                                 connection_limits(env.limits));
  UnauthenticatedConnections::Registration unauthenticated(env.unauthenticated, connection);

  while (!connection.stop_requested()) {
    net::RequestParser parser;
    const auto header_ec = co_await connection.read_header(parser);
    if (header_ec) {
      if (net::is_disconnect(header_ec)) break;
      // The stream cannot be resynchronised after a bad header: answer, then close.
      Response response = header_failure(header_ec);
      co_await connection.write(response);
      spdlog::debug("admin: {} refused before the header was read: {}", peer, header_ec.message());
      co_await connection.linger_close();
      co_return;
    }

    const auto started = std::chrono::steady_clock::now();
    const Request& request = parser.get();
    Response response;
    // An answer given while the body is still unread (401, 413) is not kept alive, and close()
    // then lingers: what follows on the wire is that body, not a request.
    if (is_ui_request(request)) {
      // The workspace's static files hold no secret: a browser loads them before the page
      // asks for the token. The connection stays unauthenticated (evictable, short deadline).
      response = ui_answer(request);
      connection.keep_header_deadline();
    } else if (!env.token.accepts(request[http::field::authorization])) {
      // Checked before the body is read, so that a client without the token cannot make the
      // server read and hold a body; nor can it hold the connection for longer than the header
      // deadline by sending requests without one.
      response = AdminHandler::unauthorized(request.version());
      connection.keep_header_deadline();
    } else {
      unauthenticated.authenticated();
      const auto body_ec = co_await connection.read_body(parser);
      if (body_ec == http::error::body_limit) {
        response = header_failure(body_ec);
      } else if (body_ec) {
        break;  // timeout or the client went away mid-body: nobody to answer
      } else if (env.tail != nullptr && is_tail_stream(request)) {
        if (!co_await serve_tail(connection, request, *env.tail)) break;
        continue;
      } else {
        response = answer(env.handler, request);
      }
    }

    response.set(http::field::server, "sluice");
    const auto write_ec = co_await write_answer(connection, request, response);
    spdlog::debug("admin: {} {} {} -> {} ({} us)", peer, std::string(request.method_string()),
                  redacted_target(request.target()), response.result_int(),
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count());
    if (write_ec || !response.keep_alive()) break;
  }
  co_await connection.close();
}

}  // namespace sluice::admin
