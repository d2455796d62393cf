#include "admin/admin_server.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "admin/admin_handler.hpp"
#include "admin/admin_session.hpp"
#include "admin/bearer_token.hpp"
#include "net/session_tracker.hpp"

namespace sluice::admin {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// After a failed accept (out of file descriptors, say), wait this long instead of spinning.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

void log_coroutine_failure(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    spdlog::error("admin: a connection ended by an exception: {}", e.what());
  }
}

std::optional<tcp::endpoint> resolve_listen(const config::AdminConfig& config, std::string* error) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.listen_host, ec);
  if (!ec) return tcp::endpoint(address, config.listen_port);
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(config.listen_host, std::to_string(config.listen_port), ec);
  if (ec || results.empty()) {
    *error = "admin API: cannot resolve " + config.listen_host + ": " + ec.message();
    return std::nullopt;
  }
  return results.begin()->endpoint();
}

}  // namespace

// Everything the admin thread owns. Members other than stopping_ and port_ are touched only on
// the admin thread once it runs (stop() posts its work there).
class AdminServer::Impl {
 public:
  Impl(const config::AdminConfig& config, router::RouterControl& control, const AdminLimits& limits)
      : limits_(limits), token_(config.token), handler_(control), tracker_(io_.get_executor()) {}

  bool bind(const config::AdminConfig& config, std::string* error) {
    auto endpoint = resolve_listen(config, error);
    if (!endpoint) return false;
    boost::system::error_code ec;
    tcp::acceptor acceptor(io_);
    acceptor.open(endpoint->protocol(), ec);
    // No SO_REUSEPORT: sharing the tracking API's port by mistake must fail, not split traffic.
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(*endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      *error = "admin API: cannot listen on " + config.listen_host + ":" +
               std::to_string(config.listen_port) + ": " + ec.message();
      return false;
    }
    port_ = acceptor.local_endpoint().port();
    acceptor_.emplace(std::move(acceptor));
    return true;
  }

  void run() {
    asio::co_spawn(io_, accept_loop(), log_coroutine_failure);
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop() {
    // Serialises concurrent stop() calls: a thread may be joined only once.
    const std::lock_guard lock(stop_mutex_);
    if (!stopping_.exchange(true)) {
      asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
        tracker_.drain(limits_.drain_timeout);
      });
    }
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return port_; }

 private:
  // Counts a connection against max_connections for as long as its session runs.
  class ConnectionSlot {
   public:
    explicit ConnectionSlot(std::size_t& count) : count_(count) { ++count_; }
    ~ConnectionSlot() { --count_; }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

   private:
    std::size_t& count_;
  };

  asio::awaitable<void> serve(tcp::socket socket) {
    ConnectionSlot slot(connections_);
    co_await run_admin_session(AdminSessionEnvironment{limits_, token_, handler_, tracker_},
                               std::move(socket));
  }

  // Ends when stop() closes the acceptor; while it waits in accept the io_context cannot run
  // out of work before then.
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(kAwait);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
        spdlog::warn("admin: accept failed: {}", ec.message());
        asio::steady_timer pause(io_, kAcceptBackoff);
        co_await pause.async_wait(kAwait);
        continue;
      }
      boost::system::error_code ignored;
      if (tracker_.stopping() || connections_ >= limits_.max_connections) {
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ignored);
      asio::co_spawn(io_, serve(std::move(socket)), log_coroutine_failure);
    }
  }

  const AdminLimits limits_;
  asio::io_context io_{1};
  std::optional<tcp::acceptor> acceptor_;
  BearerToken token_;
  AdminHandler handler_;
  net::SessionTracker tracker_;
  std::size_t connections_ = 0;
  std::mutex stop_mutex_;
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::unique_ptr<AdminServer> AdminServer::start(const config::AdminConfig& config,
                                                router::RouterControl& control, std::string* error,
                                                const AdminLimits& limits) {
  auto impl = std::make_unique<Impl>(config, control, limits);
  if (!impl->bind(config, error)) return nullptr;
  impl->run();
  auto server = std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
  spdlog::info("admin API listening on {}:{}", config.listen_host, server->port());
  return server;
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  stop();
}

std::uint16_t AdminServer::port() const {
  return impl_->port();
}

void AdminServer::stop() {
  impl_->stop();
}

}  // namespace sluice::admin
