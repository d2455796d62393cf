#include "admin/admin_session.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <tuple>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <spdlog/spdlog.h>

namespace sluice::admin {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// After an answer that leaves a body unread (401, 413), read and discard at most this much
// before closing, so the client reads the answer instead of a connection reset.
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::seconds(1);

// Removes the session from its tracker however the coroutine ends.
class Registration {
 public:
  Registration(AdminSessionTracker& tracker, AdminSessionState& state)
      : tracker_(tracker), state_(state) {
    tracker_.add(&state_);
  }
  ~Registration() { tracker_.remove(&state_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  AdminSessionTracker& tracker_;
  AdminSessionState& state_;
};

std::string peer_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset;
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

bool expects_continue(const Request& request) {
  return boost::algorithm::iequals(request[http::field::expect], "100-continue");
}

// A request path exception (a RouterControl implementation that throws) costs its request a
// 500, not the connection or the admin thread.
Response answer(AdminHandler& handler, const Request& request) {
  try {
    return handler.handle(request);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", std::string(request.method_string()),
                  std::string(request.target()), e.what());
    return AdminHandler::error(request.version(), http::status::internal_server_error,
                               "internal_error", "the request failed; see the server log");
  }
}

// The answer to HEAD has the headers of the answer to GET and no body (RFC 9110 9.3.2).
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> write_answer(
    beast::tcp_stream& stream, const Request& request, Response& response) {
  if (request.method() != http::verb::head) {
    co_return co_await http::async_write(stream, response, kAwait);
  }
  http::response_serializer<http::string_body> serializer(response);
  co_return co_await http::async_write_header(stream, serializer, kAwait);
}

asio::awaitable<void> linger_close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    stream.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(left));
    buffer.consume(buffer.size());
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(64 * 1024), kAwait);
    if (read_ec) break;
    discarded += n;
  }
  stream.socket().close(ec);
}

}  // namespace

void AdminSessionTracker::add(AdminSessionState* session) {
  sessions_.insert(session);
}

void AdminSessionTracker::remove(AdminSessionState* session) {
  sessions_.erase(session);
  if (stopping_ && sessions_.empty() && on_drained) on_drained();
}

void AdminSessionTracker::stop_all() {
  stopping_ = true;
  for (AdminSessionState* session : sessions_) {
    session->stop_requested = true;
    if (session->idle) session->stream->cancel();
  }
  if (sessions_.empty() && on_drained) on_drained();
}

void AdminSessionTracker::close_all() {
  for (AdminSessionState* session : sessions_) {
    session->stop_requested = true;
    boost::system::error_code ec;
    session->stream->socket().close(ec);
  }
}

asio::awaitable<void> run_admin_session(AdminSessionEnvironment env, tcp::socket socket) {
  const std::string peer = peer_address(socket);
  beast::tcp_stream stream(std::move(socket));
  AdminSessionState state{&stream};
  Registration registration(env.tracker, state);
  beast::flat_buffer buffer;
  bool first_request = true;

  while (!state.stop_requested) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(env.limits.max_header_bytes));
    parser.body_limit(env.limits.max_body_bytes);

    state.idle = true;
    stream.expires_after(first_request ? env.limits.header_timeout : env.limits.idle_timeout);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kAwait);
    state.idle = false;
    first_request = false;
    if (header_ec) {
      if (is_disconnect(header_ec)) break;
      // The stream cannot be resynchronised after a bad header: answer, then close.
      Response response = header_failure(header_ec);
      response.keep_alive(false);
      stream.expires_after(env.limits.body_timeout);
      co_await http::async_write(stream, response, kAwait);
      spdlog::debug("admin: {} refused before the header was read: {}", peer, header_ec.message());
      co_await linger_close(stream, buffer);
      co_return;
    }

    const auto started = std::chrono::steady_clock::now();
    const Request& request = parser.get();
    Response response;
    // An answer given while a body is still unread ends the connection: what follows on the
    // wire is that body, not a request.
    bool body_unread = false;
    if (!env.token.accepts(request[http::field::authorization])) {
      // Checked before the body is read, so that a client without the token cannot make the
      // server read and hold a body.
      response = AdminHandler::unauthorized(request.version());
      body_unread = !parser.is_done();
    } else {
      if (expects_continue(request)) {
        http::response<http::empty_body> go_on{http::status::continue_, request.version()};
        stream.expires_after(env.limits.body_timeout);
        co_await http::async_write(stream, go_on, kAwait);
      }
      stream.expires_after(env.limits.body_timeout);
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kAwait);
      if (body_ec == http::error::body_limit) {
        response = header_failure(body_ec);
        body_unread = true;
      } else if (body_ec) {
        break;  // timeout or the client went away mid-body: nobody to answer
      } else {
        response = answer(env.handler, request);
      }
    }

    response.set(http::field::server, "sluice");
    const bool keep_alive = !body_unread && !state.stop_requested && request.keep_alive();
    response.keep_alive(keep_alive);
    stream.expires_after(env.limits.body_timeout);
    auto [write_ec, written] = co_await write_answer(stream, request, response);
    spdlog::debug("admin: {} {} {} -> {} ({} us)", peer, std::string(request.method_string()),
                  std::string(request.target()), response.result_int(),
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count());
    if (write_ec) break;
    if (body_unread) {
      co_await linger_close(stream, buffer);
      co_return;
    }
    if (!keep_alive) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace sluice::admin
