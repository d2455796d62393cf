#include "server/http_server.hpp"

#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <prometheus/text_serializer.h>

#include "net/session_tracker.hpp"
#include "server/session.hpp"
#include "server/tracking_api.hpp"

namespace sluice::server {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Enough for Prometheus, a load balancer's health checks and an operator's curl at once.
constexpr std::size_t kOpsConnections = 64;

}  // namespace

// One IO thread: its io_context, acceptor, TrackingApi and sessions. Only touched from its own
// thread once started (stop() posts to it).
class Worker {
 public:
  explicit Worker(const TrackingApiContext& api_context)
      : io(1), api(api_context), tracker(io.get_executor()) {}

  asio::io_context io;
  std::vector<tcp::acceptor> acceptors;  // in the order of the server's listeners
  TrackingApi api;
  net::SessionTracker tracker;
  std::thread thread;
};

HttpServer::HttpServer(const ServerDependencies& dependencies)
    : deps_(dependencies),
      connections_(dependencies.config.server.max_connections),
      ops_connections_(kOpsConnections) {
  const config::Config& config = deps_.config;
  const bool tls = config.server.tls.enabled;
  const PortRoutes tracking_routes = config.ops.enabled ? PortRoutes::kTracking : PortRoutes::kAll;
  listeners_.push_back(Listener{ListenerKind::kTracking, config.server.listen_host,
                                config.server.listen_port, tls, tracking_routes, &connections_,
                                tls ? "tracking API (TLS)" : "tracking API"});
  if (tls && config.server.listen_plain) {
    listeners_.push_back(Listener{ListenerKind::kTrackingPlain, config.server.listen_plain_host,
                                  config.server.listen_plain_port, false, tracking_routes,
                                  &connections_, "plaintext tracking API"});
  }
  if (config.ops.enabled) {
    listeners_.push_back(Listener{ListenerKind::kOps, config.ops.listen_host,
                                  config.ops.listen_port, false, PortRoutes::kOps,
                                  &ops_connections_, "ops API"});
  }
  unsigned threads = deps_.config.server.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  prometheus::Registry& registry = deps_.registry;
  const TrackingApiContext context{
      deps_.request_settings,
      deps_.sources,
      deps_.log,
      deps_.api_metrics,
      [&registry] { return prometheus::TextSerializer().Serialize(registry.Collect()); },
      deps_.config_generation,
      deps_.rejections};
  for (unsigned i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(context));
  }
}

HttpServer::~HttpServer() {
  stop(std::chrono::milliseconds(0));
  wait();
}

Status HttpServer::bind() {
  for (Listener& listener : listeners_) {
    auto endpoint = net::resolve_listen_address(listener.host, listener.port);
    if (!endpoint.is_ok()) return endpoint.status();
    auto port = net::claim_port(workers_.front()->io, *endpoint);
    if (!port.is_ok()) return port.status();
    endpoint->port(*port);  // port 0: the one the kernel chose
    for (auto& worker : workers_) {
      auto acceptor = net::open_acceptor(worker->io, *endpoint, /*share_port=*/true);
      if (!acceptor.is_ok()) return acceptor.status();
      worker->acceptors.push_back(std::move(*acceptor));
    }
    listener.port = *port;
  }
  return Status::ok();
}

std::uint16_t HttpServer::port_of(ListenerKind kind) const {
  for (const Listener& listener : listeners_) {
    if (listener.kind == kind) return listener.port;
  }
  return 0;
}

void HttpServer::start() {
  for (auto& worker_ptr : workers_) {
    Worker& worker = *worker_ptr;
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
      const Listener& listener = listeners_[i];
      SessionEnvironment env{deps_.config.server, worker.api, deps_.server_metrics, worker.tracker,
                             listener.routes};
      net::ConnectionHandler serve;
      if (listener.tls) {
        TlsEnvironment tls{*deps_.tls, *deps_.tls_metrics};
        serve = [env, tls](tcp::socket socket) {
          return run_tls_session(env, tls, std::move(socket));
        };
      } else {
        serve = [env](tcp::socket socket) { return run_session(env, std::move(socket)); };
      }
      net::AcceptLoop loop{
          .acceptor = worker.acceptors[i],
          .budget = *listener.budget,
          .observer = deps_.server_metrics,
          .serve = std::move(serve),
          .stopping = [this] { return stopping_.load(); },
          .name = listener.name,
      };
      asio::co_spawn(worker.io, net::run_accept_loop(std::move(loop)),
                     net::log_failure(listener.name + ": the accept loop"));
    }
    worker.thread = std::thread([&worker] { worker.io.run(); });
  }
}

void HttpServer::stop(std::chrono::milliseconds drain_timeout) {
  if (stopping_.exchange(true)) return;
  for (auto& worker_ptr : workers_) {
    Worker& worker = *worker_ptr;
    asio::post(worker.io, [&worker, drain_timeout] {
      boost::system::error_code ignored;
      for (auto& acceptor : worker.acceptors) acceptor.close(ignored);
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
