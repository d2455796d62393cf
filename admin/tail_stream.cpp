#include "admin/tail_stream.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "admin/admin_handler.hpp"
#include "admin/admin_json.hpp"

namespace sluice::admin {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// Seconds a client should wait before it tries again when every subscriber slot is taken.
constexpr std::string_view kRetryAfterSeconds = "5";
// A subscriber whose peer vanished without closing frees its place within this long.
constexpr std::chrono::seconds kDeadPeerTimeout{60};

// An error answer to the tail request; whether the connection may read the next request.
asio::awaitable<bool> refuse(net::HttpConnection& connection, Response response) {
  response.set(http::field::server, "sluice");
  co_return !(co_await connection.write(response)) && response.keep_alive();
}

Response stream_header(unsigned version) {
  Response response{http::status::ok, version};
  response.set(http::field::content_type, "text/event-stream; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  // Proxies that buffer answers (nginx) would hold the frames back.
  response.set("X-Accel-Buffering", "no");
  response.set(http::field::server, "sluice");
  response.chunked(true);
  return response;
}

std::string_view query_of(std::string_view target) {
  const std::size_t question = target.find('?');
  return question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

}  // namespace

asio::awaitable<bool> serve_tail(net::HttpConnection& connection, const net::Request& request,
                                 LiveTail& tail) {
  const unsigned version = request.version();
  if (version < 11) {
    // A stream without a length needs chunked framing, which HTTP/1.0 does not have.
    co_return co_await refuse(
        connection,
        AdminHandler::error(version, http::status::http_version_not_supported,
                            "http_version_not_supported", "the live tail streams over HTTP/1.1"));
  }
  const auto query = parse_tail_query(query_of(request.target()));
  if (!query.is_ok()) {
    co_return co_await refuse(
        connection, AdminHandler::error(version, http::status::bad_request, "invalid_query",
                                        query.status().message()));
  }
  const std::shared_ptr<TailSubscription> subscription = tail.subscribe(*query);
  if (!subscription) {
    Response full =
        AdminHandler::error(version, http::status::service_unavailable, "tail_full",
                            "the live tail has as many subscribers as it takes; try again later");
    full.set(http::field::retry_after, kRetryAfterSeconds);
    co_return co_await refuse(connection, std::move(full));
  }

  connection.end_after_answer();
  connection.detect_dead_peer(kDeadPeerTimeout);
  Response header = stream_header(version);
  bool open = !(co_await connection.write_header(header)) &&
              !(co_await connection.write_chunk(sse_frame(
                  "open", tail_open_body(tail.shown_after(), query->sample, query->rejected))));
  while (open && !subscription->closed() && !connection.stop_requested()) {
    // A client that goes away frees its slot at once, not at the next write that fails.
    const auto woke =
        co_await (subscription->wait(std::chrono::steady_clock::now() + tail.limits().heartbeat) ||
                  connection.wait_for_close());
    if (woke.index() == 1) {
      open = false;
      break;
    }
    std::string frames = subscription->take();
    if (frames.empty()) {
      if (subscription->closed()) break;
      frames = ": heartbeat\n\n";
    }
    open = !(co_await connection.write_chunk(frames));
  }
  tail.unsubscribe(subscription);
  if (open) co_await connection.write_last_chunk();
  co_return false;
}

}  // namespace sluice::admin
