#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

prometheus::Histogram::BucketBoundaries size_buckets() {
  return {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
}

prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1};
}

}  // namespace

StorageMetrics::StorageMetrics(prometheus::Registry& registry)
    : commit_records_(prometheus::BuildHistogram()
                          .Name("sluice_commit_batch_records")
                          .Help("Records written by one group commit")
                          .Register(registry)
                          .Add({}, size_buckets())),
      commit_requests_(prometheus::BuildHistogram()
                           .Name("sluice_commit_batch_requests")
                           .Help("Requests completed by one group commit")
                           .Register(registry)
                           .Add({}, size_buckets())),
      commit_seconds_(prometheus::BuildHistogram()
                          .Name("sluice_commit_latency_seconds")
                          .Help("Time to write (and fsync) one group commit")
                          .Register(registry)
                          .Add({}, latency_buckets())),
      commits_(prometheus::BuildCounter()
                   .Name("sluice_commits_total")
                   .Help("Group commits written")
                   .Register(registry)
                   .Add({})),
      commit_failures_(prometheus::BuildCounter()
                           .Name("sluice_commit_failures_total")
                           .Help("Group commits that RocksDB refused")
                           .Register(registry)
                           .Add({})),
      write_errors_(prometheus::BuildCounter()
                        .Name("sluice_storage_write_errors_total")
                        .Help("Writes RocksDB refused; each takes the log out of service until "
                              "it recovers")
                        .Register(registry)
                        .Add({})),
      recoveries_(prometheus::BuildCounter()
                      .Name("sluice_storage_recoveries_total")
                      .Help("Times the log took writes again after a failed one")
                      .Register(registry)
                      .Add({})),
      available_(prometheus::BuildGauge()
                     .Name("sluice_storage_available")
                     .Help("1 while the log takes writes, 0 after a failed write until it "
                           "recovers")
                     .Register(registry)
                     .Add({})),
      last_sequence_(prometheus::BuildGauge()
                         .Name("sluice_log_last_sequence")
                         .Help("Sequence number of the last committed event")
                         .Register(registry)
                         .Add({})),
      log_bytes_(prometheus::BuildGauge()
                     .Name("sluice_log_bytes")
                     .Help("Approximate size of the event log on disk and in memtables")
                     .Register(registry)
                     .Add({})),
      backlog_bytes_(prometheus::BuildGauge()
                         .Name("sluice_log_backlog_bytes")
                         .Help("Bytes of the log past the lowest destination cursor (all of it "
                               "without destinations): what storage.max_backlog_bytes limits")
                         .Register(registry)
                         .Add({})),
      backlog_limit_(prometheus::BuildGauge()
                         .Name("sluice_log_backlog_limit_bytes")
                         .Help("storage.max_backlog_bytes: above it intake answers 503")
                         .Register(registry)
                         .Add({})),
      pending_bytes_(prometheus::BuildGauge()
                         .Name("sluice_log_pending_bytes")
                         .Help("Bytes of records accepted and waiting for the committer")
                         .Register(registry)
                         .Add({})) {
  available_.Set(1);
}

void StorageMetrics::group_committed(std::size_t requests, std::size_t records, double seconds) {
  commits_.Increment();
  commit_requests_.Observe(static_cast<double>(requests));
  commit_records_.Observe(static_cast<double>(records));
  commit_seconds_.Observe(seconds);
}

void StorageMetrics::commit_failed() {
  commit_failures_.Increment();
}

void StorageMetrics::write_failed() {
  write_errors_.Increment();
}

void StorageMetrics::recovered() {
  recoveries_.Increment();
}

void StorageMetrics::available(bool available) {
  available_.Set(available ? 1 : 0);
}

void StorageMetrics::last_sequence(std::uint64_t sequence) {
  last_sequence_.Set(static_cast<double>(sequence));
}

void StorageMetrics::log_bytes(std::uint64_t bytes) {
  log_bytes_.Set(static_cast<double>(bytes));
}

void StorageMetrics::backlog_bytes(std::uint64_t bytes) {
  backlog_bytes_.Set(static_cast<double>(bytes));
}

void StorageMetrics::backlog_limit(std::uint64_t bytes) {
  backlog_limit_.Set(static_cast<double>(bytes));
}

void StorageMetrics::pending_bytes(std::uint64_t bytes) {
  pending_bytes_.Set(static_cast<double>(bytes));
}

}  // namespace sluice::storage
