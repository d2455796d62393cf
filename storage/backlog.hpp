#pragma once

// How many bytes of the log are backlog: what intake's 503 limit (storage.max_backlog_bytes)
// weighs. Between refreshes the figure grows by what the committer wrote; refresh() replaces that
// running sum with RocksDB's own figures, at most once a second, so compression, compaction and
// retention's deletes show. Once retention sets a floor (below it everything is delivered), only
// the bytes at or above the floor count.
//
// Thread-safety: bytes() from any thread; grew() and refresh() from the committer's thread (and
// the constructor); set_floor() from any thread while the database is open. The database must
// outlive the Backlog.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace rocksdb {
class DB;
}

namespace sluice::storage {

class StorageMetrics;

class Backlog {
 public:
  // Measures the log at once. metrics may be null.
  Backlog(rocksdb::DB& db, StorageMetrics* metrics);
  Backlog(const Backlog&) = delete;
  Backlog& operator=(const Backlog&) = delete;

  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  // The committer wrote bytes more.
  void grew(std::uint64_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  // Measures again when the last measurement is a second old.
  void refresh();
  // Records below floor are delivered everywhere; 0, the default: the whole log is backlog.
  // Measures at once, since the committer refreshes only after writes and there may be none.
  void set_floor(std::uint64_t floor);

 private:
  rocksdb::DB& db_;
  StorageMetrics* metrics_;  // may be null (tools and tests)
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> floor_{0};
  // The committer's thread only (and the constructor's, before that thread starts).
  std::optional<std::chrono::steady_clock::time_point> refreshed_at_;
};

}  // namespace sluice::storage
