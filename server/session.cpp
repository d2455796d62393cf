#include "server/session.hpp"

#include <chrono>
#include <string>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "net/http_connection.hpp"
#include "net/tls_handshake.hpp"

namespace sluice::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 32 * 1024;
// After refusing an oversize body, read and discard at most this much before closing, so
// the client sees the answer instead of a reset.
constexpr std::size_t kLingerBytes = 8 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);

// The limits of a connection opening now: the timeouts are fixed at start-up, the body limit
// is the one in force (a reload may change it).
net::ConnectionLimits connection_limits(const SessionEnvironment& env) {
  const config::ServerConfig& config = env.config;
  return net::ConnectionLimits{
      .max_header_bytes = kHeaderLimit,
      .max_body_bytes = env.api.body_limit(),
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

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Answers plaintext HTTP sent to the TLS port, in plaintext, on the TCP stream under the TLS
// one. The request stays unread, so closing lingers: the client reads the answer instead of a
// reset.
asio::awaitable<void> refuse_plaintext(const SessionEnvironment& env, beast::tcp_stream stream) {
  net::HttpConnection connection(std::move(stream), env.tracker, connection_limits(env));
  Response refusal =
      TrackingApi::error(11, http::status::bad_request, "tls_required",
                         "this port speaks HTTPS: send the request to https:// instead of http://");
  refusal.set(http::field::server, "sluice");
  connection.discard_rest();
  co_await connection.write(refusal);
  co_await connection.close();
}

template <typename Stream>
asio::awaitable<void> serve_requests(const SessionEnvironment& env,
                                     net::BasicHttpConnection<Stream>& connection,
                                     const std::string& peer_address) {
  while (!connection.stop_requested()) {
    net::RequestParser parser;
    const auto header_ec = co_await connection.read_header(parser);
    if (header_ec) {
      if (net::is_disconnect(header_ec)) break;
      Answer refused = TrackingApi::refuse_header(header_ec);
      co_await connection.write(refused.response);
      env.metrics.request_completed(refused.route, refused.response.result_int(), 0);
      // A body over the limit may still be on its way: let the client read the answer.
      if (header_ec == http::error::body_limit) co_await connection.linger_close();
      break;
    }

    const auto started = std::chrono::steady_clock::now();
    const Request& request = parser.get();
    const auto body_ec = co_await connection.read_body(parser);
    Answer answer;
    if (body_ec == http::error::body_limit) {
      answer = env.api.refuse_body(request);
    } else if (body_ec) {
      break;  // timeout or the client went away mid-body: nobody to answer
    } else {
      constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
      answer = co_await env.api.answer(request, Peer{peer_address, kTls}, env.routes);
      if (answer.close) connection.discard_rest();
    }

    // Not kept alive after a body over the limit: close() then lingers. Whatever the status,
    // an answer to HEAD carries no body: the client would read it as the next response.
    const auto write_ec = request.method() == http::verb::head
                              ? co_await connection.write_header(answer.response)
                              : co_await connection.write(answer.response);
    env.metrics.request_completed(answer.route, answer.response.result_int(),
                                  seconds_since(started));
    if (write_ec || !answer.response.keep_alive()) break;
  }
  co_await connection.close();
}

}  // namespace

asio::awaitable<void> run_session(SessionEnvironment env, tcp::socket socket) {
  const std::string peer_address = client_address(socket);
  net::HttpConnection connection(beast::tcp_stream(std::move(socket)), env.tracker,
                                 connection_limits(env));
  co_await serve_requests(env, connection, peer_address);
}

asio::awaitable<void> run_tls_session(SessionEnvironment env, TlsEnvironment tls,
                                      tcp::socket socket) {
  const std::string peer_address = client_address(socket);
  // The context in force now: a reload while this connection lives does not touch it.
  const auto context = tls.credentials.context();
  net::TlsStream stream(std::move(socket), *context);
  const net::TlsHandshakeResult handshake =
      co_await net::tls_server_handshake(stream, env.tracker, env.config.header_timeout);
  if (!handshake.ok) {
    tls.metrics.handshake_failed(handshake.failure);
    spdlog::debug("TLS handshake with {} failed: {} ({})", peer_address, handshake.failure,
                  handshake.error.message());
    if (handshake.failure == "plaintext_http") {
      co_await refuse_plaintext(env, std::move(beast::get_lowest_layer(stream)));
    }
    co_return;
  }
  net::HttpsConnection connection(std::move(stream), env.tracker, connection_limits(env));
  co_await serve_requests(env, connection, peer_address);
}

}  // namespace sluice::server
