#include "net/listener.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

namespace sluice::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct CountingObserver : ConnectionObserver {
  void connection_opened() override { ++opened; }
  void connection_closed() override { ++closed; }
  void connection_refused() override { ++refused; }
  int opened = 0;
  int closed = 0;
  int refused = 0;
};

// Whether the server closed the client's connection within the timeout.
bool closed_by_server(tcp::socket& client, int timeout_ms) {
  pollfd readable{client.native_handle(), POLLIN, 0};
  if (::poll(&readable, 1, timeout_ms) != 1) return false;
  char byte = 0;
  return ::recv(client.native_handle(), &byte, 1, 0) <= 0;
}

TEST_CASE("A connection budget hands out at most its limit", "[net]") {
  ConnectionBudget budget(2);
  CHECK(budget.try_acquire());
  CHECK(budget.try_acquire());
  CHECK_FALSE(budget.try_acquire());
  CHECK(budget.in_use() == 2);
  budget.release();
  CHECK(budget.try_acquire());
  CHECK(budget.in_use() == 2);
}

TEST_CASE("The accept loop serves within its budget and closes what is over it", "[net]") {
  asio::io_context io{1};
  auto endpoint = resolve_listen_address("127.0.0.1", 0);
  REQUIRE(endpoint.is_ok());
  auto acceptor = open_acceptor(io, *endpoint, /*share_port=*/false);
  REQUIRE(acceptor.is_ok());
  const tcp::endpoint bound = acceptor->local_endpoint();

  ConnectionBudget budget(1);
  CountingObserver observer;
  int served = 0;
  // The first connection is held open until the test ends the loop.
  asio::steady_timer hold(io, 1h);
  AcceptLoop loop{
      .acceptor = *acceptor,
      .budget = budget,
      .observer = observer,
      .serve = [&](tcp::socket) -> asio::awaitable<void> {
        ++served;
        boost::system::error_code ignored;
        co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      },
      .stopping = [] { return false; },
      .name = "test",
  };
  asio::co_spawn(io, run_accept_loop(std::move(loop)), [](const std::exception_ptr& failure) {
    if (failure) std::rethrow_exception(failure);
  });

  tcp::socket first(io);
  first.connect(bound);
  tcp::socket second(io);
  second.connect(bound);
  io.run_for(200ms);
  CHECK(served == 1);
  CHECK(observer.opened == 1);
  CHECK(observer.refused == 1);
  CHECK(budget.in_use() == 1);
  CHECK(closed_by_server(second, 2000));
  CHECK_FALSE(closed_by_server(first, 0));

  // Ending the served connection frees its slot; closing the acceptor ends the loop.
  hold.cancel();
  acceptor->close();
  io.run_for(200ms);
  CHECK(observer.closed == 1);
  CHECK(budget.in_use() == 0);
  CHECK(io.stopped());
}

TEST_CASE("A port that is taken cannot be claimed, even by SO_REUSEPORT sharers", "[net]") {
  asio::io_context io{1};
  auto endpoint = resolve_listen_address("127.0.0.1", 0);
  REQUIRE(endpoint.is_ok());
  auto port = claim_port(io, *endpoint);
  REQUIRE(port.is_ok());
  endpoint->port(*port);
  auto shared = open_acceptor(io, *endpoint, /*share_port=*/true);
  REQUIRE(shared.is_ok());
  const auto claimed_again = claim_port(io, *endpoint);
  REQUIRE_FALSE(claimed_again.is_ok());
  CHECK(claimed_again.status().code() == StatusCode::kUnavailable);
  CHECK(claimed_again.status().message().find("cannot listen on 127.0.0.1:") == 0);
}

}  // namespace
}  // namespace sluice::net
