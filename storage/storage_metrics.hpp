#pragma once

// Prometheus instruments of the event log. Handles are created once at construction; the
// committer thread only increments them. Thread-safe (prometheus-cpp metrics are atomic).

#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace sluice::storage {

class StorageMetrics {
 public:
  explicit StorageMetrics(prometheus::Registry& registry);

  void group_committed(std::size_t requests, std::size_t records, double seconds);
  void commit_failed();
  // RocksDB refused a write: the log is out of service until it recovers.
  void write_failed();
  // The log took writes again after a failed one.
  void recovered();
  void available(bool available);
  void last_sequence(std::uint64_t sequence);
  void log_bytes(std::uint64_t bytes);
  // What intake's 503 limit weighs (Backlog::bytes()), and that limit.
  void backlog_bytes(std::uint64_t bytes);
  void backlog_limit(std::uint64_t bytes);
  void pending_bytes(std::uint64_t bytes);

 private:
  prometheus::Histogram& commit_records_;
  prometheus::Histogram& commit_requests_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Counter& commits_;
  prometheus::Counter& commit_failures_;
  prometheus::Counter& write_errors_;
  prometheus::Counter& recoveries_;
  prometheus::Gauge& available_;
  prometheus::Gauge& last_sequence_;
  prometheus::Gauge& log_bytes_;
  prometheus::Gauge& backlog_bytes_;
  prometheus::Gauge& backlog_limit_;
  prometheus::Gauge& pending_bytes_;
};

}  // namespace sluice::storage
