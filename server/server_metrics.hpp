#pragma once

// Prometheus instruments of the HTTP layer: requests by route and status, request latency by
// route, open connections. Label combinations are created up front. Thread-safe.

#include <array>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "net/listener.hpp"
#include "server/routes.hpp"

namespace sluice::server {

class ServerMetrics : public net::ConnectionObserver {
 public:
  explicit ServerMetrics(prometheus::Registry& registry);

  void request_completed(RouteKind route, unsigned status, double seconds);
  void connection_opened() override;
  void connection_closed() override;
  void connection_refused() override;

 private:
  static constexpr std::array<unsigned, 11> kStatuses = {200, 204, 302, 400, 404, 405,
                                                         408, 429, 500, 503, 0};
  static constexpr std::size_t kRouteCount = static_cast<std::size_t>(RouteKind::kNotFound) + 1;

  std::array<std::array<prometheus::Counter*, kStatuses.size()>, kRouteCount> requests_{};
  std::array<prometheus::Histogram*, kRouteCount> latency_{};
  prometheus::Gauge& open_connections_;
  prometheus::Counter& refused_connections_;
};

}  // namespace sluice::server
