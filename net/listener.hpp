#pragma once

// Accepting connections, the part both HTTP servers share: resolving and binding the listen
// address, and the accept loop with its back-off after a failed accept and its connection
// budget. What a connection is served with (the tracking API's session or the admin API's) is
// the caller's; this file knows sockets, not HTTP.
//
// Threading: an accept loop runs on the io_context of its acceptor, and the connections it
// accepts are spawned there too. A ConnectionBudget may be shared by the loops of several IO
// threads (the tracking API has one acceptor per thread on one port).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/status.hpp"

namespace sluice::net {

// Open connections counted against a limit, across threads. Lock-free.
class ConnectionBudget {
 public:
  explicit ConnectionBudget(std::size_t limit) : limit_(limit) {}

  // Takes a slot; false, taking nothing, when all are in use.
  bool try_acquire();
  // Takes a slot even when all are in use: for a connection that replaces one being closed,
  // whose slot comes back when its session ends.
  void force_acquire() { in_use_.fetch_add(1, std::memory_order_relaxed); }
  void release();
  std::size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> in_use_{0};
};

// What an accept loop reports, for a server's metrics. Called on the loop's thread.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void connection_opened() {}
  virtual void connection_closed() {}
  // Over the budget: closed as soon as it was accepted.
  virtual void connection_refused() {}
};

// Serves one accepted connection until it ends. Spawned as its own coroutine.
using ConnectionHandler = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

struct AcceptLoop {
  boost::asio::ip::tcp::acceptor& acceptor;
  ConnectionBudget& budget;
  ConnectionObserver& observer;
  ConnectionHandler serve;
  // True once the server is stopping: a connection accepted after that is closed at once.
  std::function<bool()> stopping;
  // Optional. Called when the budget is full: closes a connection that matters less than a new
  // one (the admin API's oldest unauthenticated connection) and says whether it did; then the
  // new connection is served instead of refused.
  std::function<bool()> make_room;
  std::string name;  // "tracking API", "admin API": for the log
};

// Accepts until the acceptor is closed (a server's stop closes it on the loop's thread). A failed
// accept (out of file descriptors, say) is logged and retried after a pause instead of spinning.
// Each accepted connection holds a budget slot until its handler returns; an exception escaping
// a handler is logged and ends only that connection.
boost::asio::awaitable<void> run_accept_loop(AcceptLoop loop);

// A co_spawn completion that logs the exception, if any, that ended a coroutine:
// "<what>: ended by an exception: ...".
std::function<void(std::exception_ptr)> log_failure(std::string what);

// host may be an address or a name to resolve.
Result<boost::asio::ip::tcp::endpoint> resolve_listen_address(const std::string& host,
                                                              std::uint16_t port);

// Opens, binds and listens. With share_port, SO_REUSEPORT lets the acceptors of several IO
// threads listen on one port, the kernel spreading connections over them.
Result<boost::asio::ip::tcp::acceptor> open_acceptor(boost::asio::io_context& io,
                                                     const boost::asio::ip::tcp::endpoint& endpoint,
                                                     bool share_port);

// Fails when anything already holds endpoint's port, also a socket that set SO_REUSEPORT, and
// gives the port the kernel picked for port 0. Binding with SO_REUSEPORT alone would let a
// second server started by mistake silently take part of the traffic; claiming the port first
// without it makes that start fail instead. The claim is released on return, just before the
// caller binds its shared acceptors.
Result<std::uint16_t> claim_port(boost::asio::io_context& io,
                                 const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace sluice::net
