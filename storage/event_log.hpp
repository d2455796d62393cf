#pragma once

// The durable event log: an append-only RocksDB keyspace of records keyed by a monotonically
// increasing 64-bit sequence number, written by one committer thread with group commit.
//
// Callers on IO threads hand a request's records to append(); it never blocks on RocksDB (it
// takes one short mutex to enqueue). The committer writes everything queued since its last
// write as one WriteBatch (one fsync per group in fsync mode) and then invokes each request's
// callback, on the committer thread, with the request's first sequence number. A callback is
// invoked exactly once for every accepted append, also at shutdown.
//
// Thread-safety: append(), last_sequence(), backlog_bytes() and admission() may be called from
// any thread. The EventLog must outlive every pending callback; close() (or the destructor)
// drains the queue before returning.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"

namespace rocksdb {
class DB;
}

namespace sluice::storage {

class StorageMetrics;

struct AppendResult {
  bool ok = false;
  std::uint64_t first_sequence = 0;  // records got first_sequence, first_sequence + 1, ...
};

using AppendCallback = std::function<void(const AppendResult&)>;

// Whether the log takes more records right now, and if not, why.
enum class Admission {
  kAccepted,
  kBacklogFull,  // the on-disk backlog passed storage.max_backlog_bytes
  kPendingFull,  // too many bytes wait for the committer (bounded memory)
  kClosed,       // shutting down or the store failed
};

class EventLog {
 public:
  // Opens (creating if needed) the log at config.path and starts the committer. On failure
  // returns nullptr and sets *error.
  static std::unique_ptr<EventLog> open(const config::StorageConfig& config,
                                        StorageMetrics* metrics, std::string* error);

  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues records (each an encode_record() output) to be committed together, in order. On
  // anything but kAccepted nothing is queued and done is never called.
  Admission append(std::vector<std::string> records, AppendCallback done);

  // What append() would answer for `bytes` more bytes, without queueing anything.
  Admission admission(std::uint64_t bytes = 0) const;

  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  std::uint64_t backlog_bytes() const { return backlog_bytes_.load(std::memory_order_relaxed); }
  bool is_open() const { return !closed_.load(std::memory_order_acquire); }

  // Stops taking appends, commits everything already queued, completes its callbacks, stops
  // the committer and closes RocksDB. Idempotent.
  void close();

 private:
  struct PendingAppend {
    std::vector<std::string> records;
    std::uint64_t bytes = 0;
    AppendCallback done;
  };

  EventLog(const config::StorageConfig& config, StorageMetrics* metrics,
           std::unique_ptr<rocksdb::DB> db, std::uint64_t last_sequence);

  void run_committer();
  void commit_group(std::vector<PendingAppend>& group);
  void refresh_backlog_bytes();

  const config::StorageConfig config_;
  StorageMetrics* metrics_;  // may be null (tools and tests)
  std::unique_ptr<rocksdb::DB> db_;

  mutable std::mutex mutex_;
  std::condition_variable wake_committer_;
  std::vector<PendingAppend> queue_;  // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_

  std::atomic<std::uint64_t> pending_bytes_{0};
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::uint64_t> backlog_bytes_{0};
  // Touched by the constructor and then only by the committer thread.
  std::optional<std::chrono::steady_clock::time_point> backlog_refreshed_at_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> failed_{false};
  std::thread committer_;
  std::once_flag close_once_;
};

}  // namespace sluice::storage
