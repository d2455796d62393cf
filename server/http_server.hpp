#pragma once

// The HTTP front of Sluice: `threads` IO threads, each with its own io_context and TrackingApi
// and an acceptor on every listener's port (SO_REUSEPORT), so a request never crosses threads.
// The listeners:
//   - the tracking port, server.listen: HTTPS when [server.tls] is set, plaintext otherwise;
//   - with [server.tls] and server.listen_plain, a second, plaintext tracking port;
//   - with [ops], the ops port: /health, /ready and /metrics, which the tracking ports then
//     answer 404. It has a small connection budget of its own, so a flood of clients on the
//     tracking port cannot lock out the health checks and the scrape.
// bind() fails when another process holds a port, also one that set SO_REUSEPORT. Accepting is
// net/listener.hpp's; sessions are coroutines tracked per thread, so stop() can drain them.
//
// Lifecycle: bind() → start() → (stop() from any thread) → wait(). The config, log,
// registries, credentials and metrics passed in must outlive the server.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <prometheus/registry.h>

#include "api/api_metrics.hpp"
#include "api/source_directory.hpp"
#include "common/status.hpp"
#include "config/config.hpp"
#include "net/listener.hpp"
#include "net/tls_credentials.hpp"
#include "server/cors.hpp"
#include "server/request_settings.hpp"
#include "server/server_metrics.hpp"
#include "server/tls_metrics.hpp"
#include "server/tracking_api.hpp"
#include "storage/intake_log.hpp"

namespace sluice::server {

class Worker;

struct ServerDependencies {
  const config::Config& config;
  storage::IntakeLog& log;
  const api::SourceDirectory& sources;               // the sources in force
  const RequestSettingsDirectory& request_settings;  // the [server] rules in force
  api::ApiMetrics& api_metrics;
  ServerMetrics& server_metrics;
  prometheus::Registry& registry;  // rendered by GET /metrics
  // Both set when [server.tls] is: the certificate in force and the handshake metrics.
  const net::TlsCredentials* tls = nullptr;
  TlsMetrics* tls_metrics = nullptr;
  // The config generation in force, shown by /ready; null: not shown.
  const std::atomic<std::uint64_t>* config_generation = nullptr;
  // What intake refused, for the admin API's live tail; null: not published.
  api::RejectionFeed* rejections = nullptr;
};

class HttpServer {
 public:
  explicit HttpServer(const ServerDependencies& dependencies);
  ~HttpServer();

  // Opens one listening socket per IO thread on each listener's address.
  Status bind();
  // The bound ports (the real ones when the config asked for port 0); 0 for a listener the
  // config does not have.
  std::uint16_t port() const { return port_of(ListenerKind::kTracking); }
  std::uint16_t plain_port() const { return port_of(ListenerKind::kTrackingPlain); }
  std::uint16_t ops_port() const { return port_of(ListenerKind::kOps); }

  void start();
  // Stops accepting, lets in-flight requests finish (keep-alive connections close after
  // their current response), and force-closes whatever is left after drain_timeout.
  // Thread-safe, idempotent.
  void stop(std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));
  // Blocks until every IO thread has finished.
  void wait();

 private:
  enum class ListenerKind { kTracking, kTrackingPlain, kOps };

  struct Listener {
    ListenerKind kind;
    std::string host;
    std::uint16_t port = 0;  // the bound one after bind()
    bool tls = false;
    PortRoutes routes = PortRoutes::kAll;
    net::ConnectionBudget* budget = nullptr;
    std::string name;  // for the log
  };

  std::uint16_t port_of(ListenerKind kind) const;

  ServerDependencies deps_;
  net::ConnectionBudget connections_;
  net::ConnectionBudget ops_connections_;
  std::vector<Listener> listeners_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
};

}  // namespace sluice::server
