#include "net/session_tracker.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "loopback.hpp"

namespace sluice::net::test {
namespace {

asio::awaitable<void> read_one(tcp::socket socket, SessionTracker& tracker, Exchange& out) {
  HttpConnection connection(boost::beast::tcp_stream(std::move(socket)), tracker, test_limits());
  RequestParser parser;
  co_await read_request(connection, parser, out);
}

// Starts a drain once the session is waiting.
asio::awaitable<void> drain_soon(SessionTracker& tracker, std::chrono::milliseconds timeout) {
  asio::steady_timer pause(co_await asio::this_coro::executor, 50ms);
  co_await pause.async_wait(asio::use_awaitable);
  tracker.drain(timeout);
}

TEST_CASE("A drain without sessions leaves nothing waiting", "[net]") {
  asio::io_context io{1};
  SessionTracker tracker(io.get_executor());
  CHECK_FALSE(tracker.stopping());
  tracker.drain(10s);
  CHECK(tracker.stopping());
  const auto started = std::chrono::steady_clock::now();
  io.run();
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("A drain cancels a session waiting for a request at once", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange session;
  asio::co_spawn(loop.io, drain_soon(tracker, 10s), asio::detached);
  const auto took = loop.run(read_one(std::move(loop.server), tracker, session));
  CHECK(session.header_ec == asio::error::operation_aborted);
  CHECK(session.stop_requested);
  CHECK(took < 5s);
}

TEST_CASE("A drain lets a busy session go on until the timeout, then closes it", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange session;
  // The header, but not the body it announces: the session waits in read_body.
  loop.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
  asio::co_spawn(loop.io, drain_soon(tracker, 300ms), asio::detached);
  const auto took = loop.run(read_one(std::move(loop.server), tracker, session));
  CHECK_FALSE(session.header_ec);
  CHECK(session.body_ec);
  CHECK(session.stop_requested);
  CHECK(took >= 300ms);
  CHECK(took < 5s);
}

}  // namespace
}  // namespace sluice::net::test
