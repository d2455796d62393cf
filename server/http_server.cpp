#include "server/http_server.hpp"

#include <optional>
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

// One IO thread: its io_context, acceptor, TrackingApi and sessions. Only touched from its own
// thread once started (stop() posts to it).
class Worker {
 public:
  explicit Worker(const TrackingApiContext& api_context)
      : io(1), api(api_context), tracker(io.get_executor()) {}

  asio::io_context io;
  std::optional<tcp::acceptor> acceptor;
  TrackingApi api;
  net::SessionTracker tracker;
  std::thread thread;
};

HttpServer::HttpServer(const ServerDependencies& dependencies)
    : deps_(dependencies),
      cors_(dependencies.config.server.cors_allowed_origins),
      connections_(dependencies.config.server.max_connections) {
  unsigned threads = deps_.config.server.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  prometheus::Registry& registry = deps_.registry;
  const TrackingApiContext context{
      deps_.config.server, deps_.sources, deps_.log, deps_.api_metrics, cors_, [&registry] {
        return prometheus::TextSerializer().Serialize(registry.Collect());
      }};
  for (unsigned i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(context));
  }
}

HttpServer::~HttpServer() {
  stop(std::chrono::milliseconds(0));
  wait();
}

Status HttpServer::bind() {
  const auto& config = deps_.config.server;
  auto endpoint = net::resolve_listen_address(config.listen_host, config.listen_port);
  if (!endpoint.is_ok()) return endpoint.status();
  auto port = net::claim_port(workers_.front()->io, *endpoint);
  if (!port.is_ok()) return port.status();
  endpoint->port(*port);  // port 0: the one the kernel chose
  for (auto& worker : workers_) {
    auto acceptor = net::open_acceptor(worker->io, *endpoint, /*share_port=*/true);
    if (!acceptor.is_ok()) return acceptor.status();
    worker->acceptor.emplace(std::move(*acceptor));
  }
  port_ = *port;
  return Status::ok();
}

void HttpServer::start() {
  for (auto& worker_ptr : workers_) {
    Worker& worker = *worker_ptr;
    SessionEnvironment env{deps_.config.server, worker.api, deps_.server_metrics, worker.tracker};
    net::AcceptLoop loop{
        .acceptor = *worker.acceptor,
        .budget = connections_,
        .observer = deps_.server_metrics,
        .serve = [env](tcp::socket socket) { return run_session(env, std::move(socket)); },
        .stopping = [this] { return stopping_.load(); },
        .name = "tracking API",
    };
    asio::co_spawn(worker.io, net::run_accept_loop(std::move(loop)),
                   net::log_failure("tracking API: the accept loop"));
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
