#pragma once

// The HTTP front of the tracking API: `threads` IO threads, each with its own io_context,
// TrackingApi and an acceptor on the shared port (SO_REUSEPORT), so a request never crosses
// threads. bind() fails when another process holds the port, also one that set SO_REUSEPORT.
// Accepting is net/listener.hpp's; sessions are coroutines tracked per thread, so stop() can
// drain them.
//
// Lifecycle: bind() → start() → (stop() from any thread) → wait(). The config, log,
// registries and metrics passed in must outlive the server.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <prometheus/registry.h>

#include "api/api_metrics.hpp"
#include "api/sources.hpp"
#include "common/status.hpp"
#include "config/config.hpp"
#include "net/listener.hpp"
#include "server/cors.hpp"
#include "server/server_metrics.hpp"
#include "storage/intake_log.hpp"

namespace sluice::server {

class Worker;

struct ServerDependencies {
  const config::Config& config;
  storage::IntakeLog& log;
  const api::SourceRegistry& sources;
  api::ApiMetrics& api_metrics;
  ServerMetrics& server_metrics;
  prometheus::Registry& registry;  // rendered by GET /metrics
};

class HttpServer {
 public:
  explicit HttpServer(const ServerDependencies& dependencies);
  ~HttpServer();

  // Opens one listening socket per IO thread on server.listen.
  Status bind();
  // The bound port (the real one when the config asked for port 0).
  std::uint16_t port() const { return port_; }

  void start();
  // Stops accepting, lets in-flight requests finish (keep-alive connections close after
  // their current response), and force-closes whatever is left after drain_timeout.
  // Thread-safe, idempotent.
  void stop(std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));
  // Blocks until every IO thread has finished.
  void wait();

 private:
  ServerDependencies deps_;
  CorsPolicy cors_;
  net::ConnectionBudget connections_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
};

}  // namespace sluice::server
