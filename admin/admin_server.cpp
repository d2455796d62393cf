#include "admin/admin_server.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "admin/admin_handler.hpp"
#include "admin/admin_session.hpp"
#include "admin/bearer_token.hpp"
#include "admin/live_tail.hpp"
#include "net/listener.hpp"
#include "net/session_tracker.hpp"

namespace sluice::admin {
namespace asio = boost::asio;
using asio::ip::tcp;

// Everything the admin thread owns. Members other than stopping_ and port_ are touched only on
// the admin thread once it runs (stop() posts its work there).
class AdminServer::Impl {
 public:
  Impl(const config::AdminConfig& config, router::RouterControl& control, const AdminLimits& limits,
       const AdminServices& services)
      : limits_(limits),
        token_(config.token),
        handler_(control, services),
        tracker_(io_.get_executor()),
        connections_(limits.max_connections) {
    if (services.log != nullptr) {
      tail_.emplace(io_.get_executor(), *services.log, services.rejections, limits.tail);
    }
  }

  Status bind(const config::AdminConfig& config) {
    auto endpoint = net::resolve_listen_address(config.listen_host, config.listen_port);
    if (!endpoint.is_ok()) return endpoint.status().with_context("admin API");
    // No SO_REUSEPORT: sharing the tracking API's port by mistake must fail, not split traffic.
    auto acceptor = net::open_acceptor(io_, *endpoint, /*share_port=*/false);
    if (!acceptor.is_ok()) return acceptor.status().with_context("admin API");
    port_ = acceptor->local_endpoint().port();
    acceptor_.emplace(std::move(*acceptor));
    return Status::ok();
  }

  void run() {
    net::AcceptLoop loop{
        .acceptor = *acceptor_,
        .budget = connections_,
        .observer = observer_,
        .serve = [this](tcp::socket socket) { return serve(std::move(socket)); },
        .stopping = [this] { return tracker_.stopping(); },
        .make_room = [this] { return unauthenticated_.close_oldest(); },
        .name = "admin API",
    };
    asio::co_spawn(io_, net::run_accept_loop(std::move(loop)),
                   net::log_failure("admin API: the accept loop"));
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop() {
    // Serialises concurrent stop() calls: a thread may be joined only once.
    const std::lock_guard lock(stop_mutex_);
    if (!stopping_.exchange(true)) {
      asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
        if (tail_) tail_->close();  // streams end at once rather than at the drain deadline
        tracker_.drain(limits_.drain_timeout);
      });
    }
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> serve(tcp::socket socket) {
    co_await run_admin_session(AdminSessionEnvironment{limits_, token_, handler_, tracker_,
                                                       unauthenticated_, tail_ ? &*tail_ : nullptr},
                               std::move(socket));
  }

  const AdminLimits limits_;
  asio::io_context io_{1};
  std::optional<tcp::acceptor> acceptor_;
  BearerToken token_;
  AdminHandler handler_;
  net::SessionTracker tracker_;
  net::ConnectionBudget connections_;
  net::ConnectionObserver observer_;  // the admin API keeps no connection metrics
  UnauthenticatedConnections unauthenticated_;
  std::optional<LiveTail> tail_;  // with a log to follow
  std::mutex stop_mutex_;
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::unique_ptr<AdminServer> AdminServer::start(const config::AdminConfig& config,
                                                router::RouterControl& control, std::string* error,
                                                const AdminLimits& limits,
                                                const AdminServices& services) {
  auto impl = std::make_unique<Impl>(config, control, limits, services);
  if (const Status bound = impl->bind(config); !bound.is_ok()) {
    *error = bound.message();
    return nullptr;
  }
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
