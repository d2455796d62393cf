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
// The router reads the log through the same object: read() visits committed records, and
// wait_for_sequence() blocks until the committer has gone past a sequence number (the
// committer notifies after each group commit; nobody polls). Each destination's cursor and dead
// letters live in the same database (delivery_state.hpp); the committer writes them too, in its
// next group (sharing its fsync), so it stays the database's only writer.
//
// Thread-safety: every public method may be called from any thread. The EventLog must outlive
// every pending callback; close() (or the destructor) drains the queue before returning. Readers
// should stop before close(): afterwards read() and the cursor methods fail with "closed", and
// wait_for_sequence() returns at once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rocksdb/write_batch.h>

#include "common/status.hpp"
#include "config/config.hpp"
#include "storage/dead_letter.hpp"
#include "storage/delivery_state.hpp"
#include "storage/intake_log.hpp"
#include "storage/log_scan.hpp"
#include "storage/record.hpp"

namespace sluice::storage {

class LogDb;
class StorageMetrics;

class EventLog : public IntakeLog {
 public:
  // Opens (creating if needed) the log at config.path and starts the committer.
  static Result<std::unique_ptr<EventLog>> open(const config::StorageConfig& config,
                                                StorageMetrics* metrics);

  ~EventLog() override;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues records (each an encode_record() output) to be committed together, in order. On
  // anything but kAccepted nothing is queued and done is never called.
  Admission append(std::vector<std::string> records, AppendCallback done) override;

  // What append() would answer for `bytes` more bytes, without queueing anything.
  Admission admission(std::uint64_t bytes = 0) const override;

  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  std::uint64_t backlog_bytes() const { return backlog_bytes_.load(std::memory_order_relaxed); }
  bool is_open() const { return !closed_.load(std::memory_order_acquire); }

  // Visits committed records (sequence <= last_sequence() when the read starts) from `from`
  // on, in order, until the visitor refuses one, max_records were visited or visiting the next
  // would take the stored bytes past max_bytes (the first record is always visited). 0: no
  // limit. Returns where to read next: every committed record below it was consumed by the
  // visitor (or does not exist), and the first record the visitor refused, if any, is there. An
  // error when RocksDB fails, a stored record is undecodable or the log is closed.
  Result<std::uint64_t> read(std::uint64_t from, std::size_t max_records, std::size_t max_bytes,
                             const RecordVisitor& visit) const;

  // Blocks until last_sequence() >= sequence, timeout passes, stop is requested or the log
  // closes. Returns whether last_sequence() >= sequence.
  bool wait_for_sequence(std::uint64_t sequence, std::chrono::milliseconds timeout,
                         std::stop_token stop = {}) const;

  // Destination cursors and dead letters (delivery_state.hpp). The saves block until the
  // committer has written them (fsynced with durability "fsync"). After close() they fail
  // with kClosed.
  Result<std::uint64_t> load_cursor(std::string_view destination) const;
  Status save_cursor(std::string_view destination, std::uint64_t sequence);
  // Like save_cursor, without waiting: the committer writes it with its next group, after
  // everything queued before it. For a cursor that only moves forward, where losing the last
  // save to a crash costs duplicates, never a skipped event.
  Status queue_cursor(std::string_view destination, std::uint64_t sequence);
  // Stores letter and, when given, moves its destination's cursor in the same write.
  Status save_dead_letter(const DeadLetter& letter, std::optional<std::uint64_t> cursor);
  Status erase_dead_letter(std::string_view destination, std::uint64_t first_sequence);
  // Without their contents.
  Result<std::vector<DeadLetter>> dead_letters(std::string_view destination) const;
  // With its contents; kNotFound when there is no such dead letter.
  Result<DeadLetter> dead_letter(std::string_view destination, std::uint64_t first_sequence) const;

  // Retention (retention.hpp): deletes every record below sequence, except the last record of
  // the log, which carries the sequence over a restart; then compacts the range so its space
  // is reclaimed. Blocks until done.
  Status delete_before(std::uint64_t sequence);
  // RocksDB's estimate of the bytes records in [from, to) take, memtables included.
  std::uint64_t approximate_bytes(std::uint64_t from, std::uint64_t to) const;
  // Records below floor are delivered everywhere: backlog_bytes() (and so the 503 limit)
  // counts only what is at or above it. 0, the default: the whole log is backlog.
  void set_backlog_floor(std::uint64_t floor);

  // Stops taking appends, commits everything already queued, completes its callbacks, stops
  // the committer and closes RocksDB. Idempotent.
  void close();

 private:
  struct PendingAppend {
    std::vector<std::string> records;
    std::uint64_t bytes = 0;
    AppendCallback done;
  };

  // Destination state for the committer to write with its next group.
  struct StateWrite {
    std::vector<StatePut> puts;
    std::promise<Status> done;  // set once written, or with why the write failed
  };

  EventLog(const config::StorageConfig& config, StorageMetrics* metrics, std::unique_ptr<LogDb> db,
           std::uint64_t last_sequence);

  void run_committer();
  void commit_group(std::vector<PendingAppend>& group, std::vector<StateWrite>& state);
  // Queues puts for the committer and, with wait, waits until they are written.
  Status write_state(std::vector<StatePut> puts, bool wait = true);
  void refresh_backlog_bytes();
  // approximate_bytes() without the lifetime lock, for callers that hold it or own db_.
  std::uint64_t approximate_size(std::uint64_t from, std::uint64_t to) const;
  void notify_sequence_waiters();

  const config::StorageConfig config_;
  StorageMetrics* metrics_;  // may be null (tools and tests)
  // Reset by close() under the exclusive lock of db_lifetime_; readers hold it shared. The
  // committer uses db_ without it: close() joins the committer first.
  mutable std::shared_mutex db_lifetime_;
  std::unique_ptr<LogDb> db_;
  std::unique_ptr<DeliveryState> delivery_state_;

  mutable std::mutex mutex_;
  std::condition_variable wake_committer_;
  std::vector<PendingAppend> queue_;     // guarded by mutex_
  std::vector<StateWrite> state_queue_;  // guarded by mutex_
  bool stopping_ = false;                // guarded by mutex_

  // wait_for_sequence() sleeps here; the committer notifies after each group commit.
  mutable std::mutex sequence_mutex_;
  mutable std::condition_variable_any sequence_advanced_;

  // The committer's write buffers, reused from group to group.
  rocksdb::WriteBatch batch_;
  std::string group_value_;

  std::atomic<std::uint64_t> pending_bytes_{0};
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::uint64_t> backlog_bytes_{0};
  std::atomic<std::uint64_t> backlog_floor_{0};
  // Touched by the constructor and then only by the committer thread.
  std::optional<std::chrono::steady_clock::time_point> backlog_refreshed_at_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> failed_{false};
  std::thread committer_;
  std::once_flag close_once_;
};

}  // namespace sluice::storage
