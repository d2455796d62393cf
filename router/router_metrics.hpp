#pragma once

// Prometheus instruments of the router, labelled by destination. RouterMetrics registers the
// families once; destination() makes one destination's handles when its loop is built, so the
// loop only increments. Thread-safe (prometheus-cpp metrics are atomic); the registry must
// outlive both classes.

#include <cstddef>
#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace sluice::router {

class DestinationMetrics {
 public:
  void delivered(std::size_t events);
  void delivery_latency(double seconds);  // one event, receivedAt to acknowledgement
  // reason is a DeliveryResult reason: a short token from a fixed set.
  void attempt_failed(const std::string& reason);
  void retry_scheduled();
  void dead_lettered(std::size_t events);
  void backlog(std::uint64_t events);
  void backlog_bytes(std::uint64_t bytes);
  void oldest_undelivered_age(double seconds);  // 0 when nothing is undelivered
  void cursor(std::uint64_t sequence);

 private:
  friend class RouterMetrics;
  DestinationMetrics(std::string name, prometheus::Family<prometheus::Counter>& failed_attempts,
                     prometheus::Counter& delivered, prometheus::Counter& retries,
                     prometheus::Counter& dead_lettered, prometheus::Gauge& backlog,
                     prometheus::Gauge& backlog_bytes, prometheus::Gauge& oldest_age,
                     prometheus::Gauge& cursor, prometheus::Histogram& latency);

  std::string name_;
  prometheus::Family<prometheus::Counter>* failed_attempts_;
  prometheus::Counter* delivered_;
  prometheus::Counter* retries_;
  prometheus::Counter* dead_lettered_;
  prometheus::Gauge* backlog_;
  prometheus::Gauge* backlog_bytes_;
  prometheus::Gauge* oldest_age_;
  prometheus::Gauge* cursor_;
  prometheus::Histogram* latency_;
};

class RouterMetrics {
 public:
  explicit RouterMetrics(prometheus::Registry& registry);

  DestinationMetrics destination(const std::string& name);
  // Drops the gauges of a destination a reload removed (its backlog and the age of its oldest
  // undelivered event), so that no alert keeps firing on the last values it had. Its counters
  // and cursor stay. The destination's loop must have stopped.
  void forget(const std::string& name);

  // A warehouse destination's value that did not fit its column's type and was stored as NULL.
  void warehouse_type_conflict(const std::string& destination, const std::string& table,
                               const std::string& column);

 private:
  prometheus::Family<prometheus::Counter>& delivered_;
  prometheus::Family<prometheus::Counter>& failed_attempts_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& dead_lettered_;
  prometheus::Family<prometheus::Gauge>& backlog_;
  prometheus::Family<prometheus::Gauge>& backlog_bytes_;
  prometheus::Family<prometheus::Gauge>& oldest_age_;
  prometheus::Family<prometheus::Gauge>& cursor_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& type_conflicts_;
};

}  // namespace sluice::router
