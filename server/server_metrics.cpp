#include "server/server_metrics.hpp"

#include <string>

namespace sluice::server {

ServerMetrics::ServerMetrics(prometheus::Registry& registry)
    : open_connections_(prometheus::BuildGauge()
                            .Name("sluice_http_open_connections")
                            .Help("Client connections currently open")
                            .Register(registry)
                            .Add({})),
      refused_connections_(prometheus::BuildCounter()
                               .Name("sluice_http_refused_connections_total")
                               .Help("Connections closed at accept: over server.max_connections")
                               .Register(registry)
                               .Add({})) {
  auto& requests = prometheus::BuildCounter()
                       .Name("sluice_http_requests_total")
                       .Help("HTTP requests answered, by route and status")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("sluice_http_request_duration_seconds")
                      .Help("Time from the end of the request headers to the response, by route")
                      .Register(registry);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    std::string route(route_label(static_cast<RouteKind>(r)));
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      std::string status = kStatuses[s] ? std::to_string(kStatuses[s]) : "other";
      requests_[r][s] = &requests.Add({{"route", route}, {"status", status}});
    }
    latency_[r] = &latency.Add({{"route", route}}, buckets);
  }
}

void ServerMetrics::request_completed(RouteKind route, unsigned status, double seconds) {
  auto r = static_cast<std::size_t>(route);
  std::size_t s = kStatuses.size() - 1;
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) s = i;
  }
  requests_[r][s]->Increment();
  latency_[r]->Observe(seconds);
}

void ServerMetrics::connection_opened() {
  open_connections_.Increment();
}
void ServerMetrics::connection_closed() {
  open_connections_.Decrement();
}
void ServerMetrics::connection_refused() {
  refused_connections_.Increment();
}

}  // namespace sluice::server
