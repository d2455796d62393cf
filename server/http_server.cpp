#include "server/http_server.hpp"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/session_tracker.hpp"
#include "server/request_handler.hpp"
#include "server/session.hpp"

namespace sluice::server {
namespace asio = boost::asio;
using asio::ip::tcp;

// One IO thread: its io_context, acceptor, request handler and sessions. Only touched from
// its own thread once started (stop() posts to it).
class Worker {
 public:
  explicit Worker(const HandlerContext& handler_context)
      : io(1), handler(handler_context), tracker(io.get_executor()) {}

  asio::io_context io;
  std::optional<tcp::acceptor> acceptor;
  RequestHandler handler;
  net::SessionTracker tracker;
  std::thread thread;
};

namespace {

// Counts a connection for server.max_connections for as long as it lives.
class ConnectionSlot {
 public:
  ConnectionSlot(std::atomic<std::size_t>& count, ServerMetrics& metrics)
      : count_(count), metrics_(metrics) {
    metrics_.connection_opened();
  }
  ~ConnectionSlot() {
    count_.fetch_sub(1, std::memory_order_relaxed);
    metrics_.connection_closed();
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::atomic<std::size_t>& count_;
  ServerMetrics& metrics_;
};

asio::awaitable<void> serve_connection(SessionEnvironment env, tcp::socket socket,
                                       std::atomic<std::size_t>& connections) {
  ConnectionSlot slot(connections, env.metrics);
  co_await run_session(env, std::move(socket));
}

void log_session_failure(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    spdlog::error("session ended by an exception: {}", e.what());
  }
}

asio::awaitable<void> accept_loop(Worker& worker, SessionEnvironment env,
                                  std::atomic<std::size_t>& connections,
                                  const std::atomic<bool>& stopping) {
  constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
  // Only closing the acceptor (the stop step posted to this thread) ends the loop: while it
  // waits in accept, the io_context cannot run out of work before that step has run.
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted || !worker.acceptor->is_open()) co_return;
      // Out of file descriptors or similar: back off instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kAwait);
      continue;
    }
    if (stopping.load()) {
      // Accepted between stop() and the stop step reaching this thread: refuse it.
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (connections.fetch_add(1, std::memory_order_relaxed) >= env.config.max_connections) {
      connections.fetch_sub(1, std::memory_order_relaxed);
      env.metrics.connection_refused();
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(worker.io, serve_connection(env, std::move(socket), connections),
                   log_session_failure);
  }
}

std::optional<tcp::endpoint> resolve_listen(const config::ServerConfig& config,
                                            std::string* error) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config.listen_host, ec);
  if (!ec) return tcp::endpoint(address, config.listen_port);
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(config.listen_host, std::to_string(config.listen_port), ec);
  if (ec || results.empty()) {
    *error = "cannot resolve " + config.listen_host + ": " + ec.message();
    return std::nullopt;
  }
  return results.begin()->endpoint();
}

}  // namespace

HttpServer::HttpServer(const ServerDependencies& dependencies)
    : deps_(dependencies), cors_(dependencies.config.server.cors_allowed_origins) {
  unsigned threads = deps_.config.server.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  HandlerContext context{deps_.config.server, deps_.sources, deps_.log, deps_.api_metrics,
                         deps_.registry};
  for (unsigned i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(context));
  }
}

HttpServer::~HttpServer() {
  stop(std::chrono::milliseconds(0));
  wait();
}

bool HttpServer::bind(std::string* error) {
  auto endpoint = resolve_listen(deps_.config.server, error);
  if (!endpoint) return false;
  const auto fail = [&](const boost::system::error_code& ec) {
    *error = "cannot listen on " + deps_.config.server.listen_host + ":" +
             std::to_string(endpoint->port()) + ": " + ec.message();
    return false;
  };
  boost::system::error_code ec;
  // The IO threads share the port through SO_REUSEPORT, which would also let a second process
  // that sets it (another sluice started by mistake) join the port and silently take part of
  // the traffic. So a socket without it claims the port first: its bind fails when anything
  // holds the port. It is released just before the IO threads bind, a window as short as the
  // start-up of the one process that could race for it.
  {
    tcp::acceptor claim(workers_.front()->io);
    claim.open(endpoint->protocol(), ec);
    if (!ec) claim.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) claim.bind(*endpoint, ec);
    if (ec) return fail(ec);
    endpoint->port(claim.local_endpoint().port());  // port 0: the one the kernel chose
  }
  for (auto& worker : workers_) {
    tcp::acceptor acceptor(worker->io);
    acceptor.open(endpoint->protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every IO thread accepts on the same port; the kernel spreads connections over them.
      int one = 1;
      if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec.assign(errno, boost::system::system_category());
      }
    }
    if (!ec) acceptor.bind(*endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(ec);
    worker->acceptor.emplace(std::move(acceptor));
  }
  port_ = endpoint->port();
  return true;
}

void HttpServer::start() {
  for (auto& worker_ptr : workers_) {
    Worker& worker = *worker_ptr;
    SessionEnvironment env{deps_.config.server, worker.handler, cors_, deps_.server_metrics,
                           worker.tracker};
    asio::co_spawn(worker.io, accept_loop(worker, env, connections_, stopping_),
                   log_session_failure);
    worker.thread = std::thread([&worker] { worker.io.run(); });
  }
}

void HttpServer::stop(std::chrono::milliseconds drain_timeout) {
  if (stopping_.exchange(true)) return;
  for (auto& worker_ptr : workers_) {
    Worker& worker = *worker_ptr;
    asio::post(worker.io, [&worker, drain_timeout] {
      boost::system::error_code ignored;
      if (worker.acceptor) worker.acceptor->close(ignored);
      worker.tracker.drain(drain_timeout);
    });
  }
}

void HttpServer::wait() {
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace sluice::server
