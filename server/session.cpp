#include "server/session.hpp"

#include <chrono>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace sluice::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 32 * 1024;
// After refusing an oversize body, read and discard at most this much before closing, so
// the client sees the answer instead of a reset.
constexpr std::size_t kLingerBytes = 8 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kBodyTooLarge = "the request body is larger than the request limit";

// Removes the session from its tracker however the coroutine ends.
class Registration {
 public:
  Registration(SessionTracker& tracker, SessionState& state) : tracker_(tracker), state_(state) {
    tracker_.add(&state_);
  }
  ~Registration() { tracker_.remove(&state_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  SessionTracker& tracker_;
  SessionState& state_;
};

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

bool expects_continue(const Request& request) {
  return boost::algorithm::iequals(request[http::field::expect], "100-continue");
}

asio::awaitable<void> linger_close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto left = deadline - std::chrono::steady_clock::now();
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

void SessionTracker::add(SessionState* session) {
  sessions_.insert(session);
}

void SessionTracker::remove(SessionState* session) {
  sessions_.erase(session);
  if (stopping_ && sessions_.empty() && on_drained) on_drained();
}

void SessionTracker::stop_all() {
  stopping_ = true;
  for (SessionState* session : sessions_) {
    session->stop_requested = true;
    if (session->idle) session->stream->cancel();
  }
  if (sessions_.empty() && on_drained) on_drained();
}

void SessionTracker::close_all() {
  for (SessionState* session : sessions_) {
    session->stop_requested = true;
    boost::system::error_code ec;
    session->stream->socket().close(ec);
  }
}

asio::awaitable<void> run_session(SessionEnvironment env, tcp::socket socket) {
  const std::string peer = client_address(socket);
  beast::tcp_stream stream(std::move(socket));
  SessionState state{&stream};
  Registration registration(env.tracker, state);
  beast::flat_buffer buffer;
  bool first_request = true;

  while (!state.stop_requested) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(env.config.max_request_bytes);

    state.idle = true;
    stream.expires_after(first_request ? env.config.header_timeout : env.config.idle_timeout);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kAwait);
    state.idle = false;
    first_request = false;
    if (header_ec) {
      if (header_ec == http::error::end_of_stream || header_ec == asio::error::eof ||
          header_ec == beast::error::timeout || header_ec == asio::error::operation_aborted ||
          header_ec == asio::error::connection_reset) {
        break;
      }
      // Beast refuses a Content-Length over the body limit while reading the header.
      bool oversize = header_ec == http::error::body_limit;
      // Otherwise the HTTP is malformed: say so and close, the stream cannot be resynchronised.
      Response response =
          oversize ? RequestHandler::error(11, http::status::bad_request, "payload_too_large",
                                           kBodyTooLarge)
                   : RequestHandler::error(11, http::status::bad_request, "bad_request",
                                           "malformed HTTP request: " + header_ec.message());
      response.keep_alive(false);
      stream.expires_after(env.config.body_timeout);
      co_await http::async_write(stream, response, kAwait);
      env.metrics.request_completed(RouteKind::kNotFound, 400, 0);
      if (oversize) co_await linger_close(stream, buffer);
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
    bool linger = false;
    if (expects_continue(request)) {
      http::response<http::empty_body> go_on{http::status::continue_, request.version()};
      stream.expires_after(env.config.body_timeout);
      co_await http::async_write(stream, go_on, kAwait);
    }
    stream.expires_after(env.config.body_timeout);
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (body_ec == http::error::body_limit) {
      response = RequestHandler::error(request.version(), http::status::bad_request,
                                       "payload_too_large", kBodyTooLarge);
      linger = true;
    } else if (body_ec) {
      break;  // timeout or the client went away mid-body: nobody to answer
    } else if (request.method() == http::verb::options) {
      response = env.cors.preflight(request);
      if (route.kind == RouteKind::kNotFound) {
        response = RequestHandler::error(request.version(), http::status::not_found, "not_found",
                                         "no such endpoint");
      }
    } else if (route.kind != RouteKind::kNotFound && request.method_string() != route.method) {
      response = RequestHandler::error(request.version(), http::status::method_not_allowed,
                                       "method_not_allowed",
                                       std::string(path) + " accepts " + std::string(route.method));
      response.set(http::field::allow, std::string(route.method) + ", OPTIONS");
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
    bool keep_alive = !linger && !state.stop_requested && request.keep_alive();
    response.keep_alive(keep_alive);
    stream.expires_after(env.config.body_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, response, kAwait);
    env.metrics.request_completed(
        route.kind, response.result_int(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (write_ec) break;
    if (linger) {
      co_await linger_close(stream, buffer);
      co_return;
    }
    if (!keep_alive) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace sluice::server
