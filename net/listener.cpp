#include "net/listener.hpp"

#include <chrono>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace sluice::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// After a failed accept, wait this long before the next: the usual cause, running out of file
// descriptors, does not clear within microseconds.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

// Holds a budget slot, and the observer's count, for as long as a connection is served.
class ConnectionSlot {
 public:
  ConnectionSlot(ConnectionBudget& budget, ConnectionObserver& observer)
      : budget_(budget), observer_(observer) {
    observer_.connection_opened();
  }
  ~ConnectionSlot() {
    budget_.release();
    observer_.connection_closed();
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  ConnectionBudget& budget_;
  ConnectionObserver& observer_;
};

asio::awaitable<void> serve_in_slot(ConnectionHandler serve, ConnectionBudget& budget,
                                    ConnectionObserver& observer, tcp::socket socket) {
  ConnectionSlot slot(budget, observer);
  co_await serve(std::move(socket));
}

void close_quietly(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

}  // namespace

bool ConnectionBudget::try_acquire() {
  if (in_use_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void ConnectionBudget::release() {
  in_use_.fetch_sub(1, std::memory_order_relaxed);
}

asio::awaitable<void> run_accept_loop(AcceptLoop loop) {
  auto executor = co_await asio::this_coro::executor;
  const auto connection_failed = log_failure(loop.name + ": a connection");
  // Only closing the acceptor ends the loop: while it waits in accept, its io_context cannot
  // run out of work before the server's stop has run.
  for (;;) {
    auto [ec, socket] = co_await loop.acceptor.async_accept(kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted || !loop.acceptor.is_open()) co_return;
      spdlog::warn("{}: accept failed: {}", loop.name, ec.message());
      asio::steady_timer pause(executor, kAcceptBackoff);
      co_await pause.async_wait(kAwait);
      continue;
    }
    if (loop.stopping()) {
      // Accepted between the stop and the acceptor's close reaching this thread.
      close_quietly(socket);
      continue;
    }
    if (!loop.budget.try_acquire()) {
      if (loop.make_room && loop.make_room()) {
        loop.budget.force_acquire();
      } else {
        loop.observer.connection_refused();
        close_quietly(socket);
        continue;
      }
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(executor,
                   serve_in_slot(loop.serve, loop.budget, loop.observer, std::move(socket)),
                   connection_failed);
  }
}

std::function<void(std::exception_ptr)> log_failure(std::string what) {
  return [what = std::move(what)](const std::exception_ptr& failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::error("{} ended by an exception: {}", what, e.what());
    }
  };
}

Result<tcp::endpoint> resolve_listen_address(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Status::invalid_argument("cannot resolve " + host + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

Result<tcp::acceptor> open_acceptor(asio::io_context& io, const tcp::endpoint& endpoint,
                                    bool share_port) {
  boost::system::error_code ec;
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && share_port) {
    const int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                               std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return acceptor;
}

Result<std::uint16_t> claim_port(asio::io_context& io, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  tcp::acceptor claim(io);
  claim.open(endpoint.protocol(), ec);
  if (!ec) claim.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) claim.bind(endpoint, ec);
  if (ec) {
    return Status::unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                               std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return claim.local_endpoint().port();
}

}  // namespace sluice::net
