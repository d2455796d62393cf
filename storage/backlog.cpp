#include "storage/backlog.hpp"

#include <limits>

#include <rocksdb/db.h>

#include "storage/log_scan.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {

Backlog::Backlog(rocksdb::DB& db, StorageMetrics* metrics) : db_(db), metrics_(metrics) {
  refresh();
}

void Backlog::refresh() {
  const auto now = std::chrono::steady_clock::now();
  if (refreshed_at_ && now - *refreshed_at_ < std::chrono::seconds(1)) return;
  refreshed_at_ = now;
  std::uint64_t sst = 0, memtables = 0;
  db_.GetIntProperty("rocksdb.total-sst-files-size", &sst);
  db_.GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  const std::uint64_t floor = floor_.load(std::memory_order_relaxed);
  const std::uint64_t backlog =
      floor == 0 ? sst + memtables
                 : approximate_range_bytes(db_, floor, std::numeric_limits<std::uint64_t>::max());
  bytes_.store(backlog, std::memory_order_relaxed);
  if (metrics_) {
    metrics_->log_bytes(sst + memtables);
    metrics_->backlog_bytes(backlog);
  }
}

void Backlog::set_floor(std::uint64_t floor) {
  floor_.store(floor, std::memory_order_relaxed);
  if (floor != 0) {
    const std::uint64_t backlog =
        approximate_range_bytes(db_, floor, std::numeric_limits<std::uint64_t>::max());
    bytes_.store(backlog, std::memory_order_relaxed);
    if (metrics_) metrics_->backlog_bytes(backlog);
  }
}

}  // namespace sluice::storage
