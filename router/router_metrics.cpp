#include "router/router_metrics.hpp"

namespace sluice::router {
namespace {

// From a local, idle destination (milliseconds) to one that was down for an hour.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
}

}  // namespace

RouterMetrics::RouterMetrics(prometheus::Registry& registry)
    : delivered_(prometheus::BuildCounter()
                     .Name("sluice_router_delivered_events_total")
                     .Help("Events a destination acknowledged")
                     .Register(registry)),
      failed_attempts_(prometheus::BuildCounter()
                           .Name("sluice_router_failed_attempts_total")
                           .Help("Delivery attempts that failed, by reason")
                           .Register(registry)),
      retries_(prometheus::BuildCounter()
                   .Name("sluice_router_retries_total")
                   .Help("Batches scheduled for another attempt after a failure")
                   .Register(registry)),
      dead_lettered_(prometheus::BuildCounter()
                         .Name("sluice_router_dead_lettered_events_total")
                         .Help("Events moved to the dead letters instead of being delivered")
                         .Register(registry)),
      backlog_(prometheus::BuildGauge()
                   .Name("sluice_router_backlog_events")
                   .Help("Events in the log past the destination's cursor")
                   .Register(registry)),
      backlog_bytes_(prometheus::BuildGauge()
                         .Name("sluice_router_backlog_bytes")
                         .Help("Approximate stored bytes of the events past the cursor")
                         .Register(registry)),
      oldest_age_(prometheus::BuildGauge()
                      .Name("sluice_router_oldest_undelivered_age_seconds")
                      .Help("Age of the first event past the cursor; 0 when there is none")
                      .Register(registry)),
      cursor_(prometheus::BuildGauge()
                  .Name("sluice_router_cursor")
                  .Help("Sequence number up to which the destination is done")
                  .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("sluice_router_delivery_latency_seconds")
                   .Help("Time from an event's receivedAt to its acknowledgement")
                   .Register(registry)),
      type_conflicts_(prometheus::BuildCounter()
                          .Name("sluice_warehouse_type_conflicts_total")
                          .Help("Values a warehouse destination stored as NULL because they did "
                                "not fit their column's type, by table and column")
                          .Register(registry)) {}

DestinationMetrics RouterMetrics::destination(const std::string& name) {
  const prometheus::Labels labels{{"destination", name}};
  return DestinationMetrics(name, failed_attempts_, delivered_.Add(labels), retries_.Add(labels),
                            dead_lettered_.Add(labels), backlog_.Add(labels),
                            backlog_bytes_.Add(labels), oldest_age_.Add(labels),
                            cursor_.Add(labels), latency_.Add(labels, latency_buckets()));
}

void RouterMetrics::warehouse_type_conflict(const std::string& destination,
                                            const std::string& table, const std::string& column) {
  type_conflicts_.Add({{"destination", destination}, {"table", table}, {"column", column}})
      .Increment();
}

void RouterMetrics::forget(const std::string& name) {
  const prometheus::Labels labels{{"destination", name}};
  for (auto* family : {&backlog_, &backlog_bytes_, &oldest_age_})
    family->Remove(&family->Add(labels));
}

DestinationMetrics::DestinationMetrics(std::string name,
                                       prometheus::Family<prometheus::Counter>& failed_attempts,
                                       prometheus::Counter& delivered, prometheus::Counter& retries,
                                       prometheus::Counter& dead_lettered,
                                       prometheus::Gauge& backlog, prometheus::Gauge& backlog_bytes,
                                       prometheus::Gauge& oldest_age, prometheus::Gauge& cursor,
                                       prometheus::Histogram& latency)
    : name_(std::move(name)),
      failed_attempts_(&failed_attempts),
      delivered_(&delivered),
      retries_(&retries),
      dead_lettered_(&dead_lettered),
      backlog_(&backlog),
      backlog_bytes_(&backlog_bytes),
      oldest_age_(&oldest_age),
      cursor_(&cursor),
      latency_(&latency) {}

void DestinationMetrics::delivered(std::size_t events) {
  delivered_->Increment(static_cast<double>(events));
}

void DestinationMetrics::delivery_latency(double seconds) {
  latency_->Observe(seconds);
}

void DestinationMetrics::attempt_failed(const std::string& reason) {
  // Looked up on failure only; Family::Add returns the existing counter for known labels.
  failed_attempts_->Add({{"destination", name_}, {"reason", reason}}).Increment();
}

void DestinationMetrics::retry_scheduled() {
  retries_->Increment();
}

void DestinationMetrics::dead_lettered(std::size_t events) {
  dead_lettered_->Increment(static_cast<double>(events));
}

void DestinationMetrics::backlog(std::uint64_t events) {
  backlog_->Set(static_cast<double>(events));
}

void DestinationMetrics::backlog_bytes(std::uint64_t bytes) {
  backlog_bytes_->Set(static_cast<double>(bytes));
}

void DestinationMetrics::oldest_undelivered_age(double seconds) {
  oldest_age_->Set(seconds);
}

void DestinationMetrics::cursor(std::uint64_t sequence) {
  cursor_->Set(static_cast<double>(sequence));
}

}  // namespace sluice::router
