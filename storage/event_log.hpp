#pragma once

// The durable event log, assembled: an append-only RocksDB keyspace of records keyed by a
// contiguous 64-bit sequence number, written by one committer thread with group commit, plus
// the router's delivery state in the same database. EventLog opens the database, builds the
// parts that do the work, hands them out and closes them in order:
//
//   RecordLog          appends (the IntakeLog intake uses) and reads of committed records,
//                      waiting for new ones, retention's deletes (record_log.hpp)
//   DeliveryState      each destination's cursor and dead letters (delivery_state.hpp)
//   SourceStore        the sources created through the admin API (source_store.hpp)
//   Committer          the database's one writer thread: group commit (committer.hpp)
//   DedupIndex         the messageIds stored within the dedup window (dedup_index.hpp)
//   CommittedSequence  the last committed sequence, and waiting for it (committed_sequence.hpp)
//   Backlog            the bytes intake's 503 limit weighs (backlog.hpp)
//   SharedLogDb        the database, not closed under a reader (shared_log_db.hpp)
//
// The contract: append() never blocks on RocksDB; the committer writes everything queued since
// its last write as one WriteBatch (one fsync per group in fsync mode), and only then calls each
// append's callback, exactly once, on its thread, with the request's first sequence number.
// Cursor and dead-letter saves and retention's deletes are written by the committer too, with
// its next group: it is the database's only writer. read() sees only records whose appends
// completed. close() (or the destructor) drains the committer, so every accepted append gets
// its callback, also at shutdown.
//
// Thread-safety: the parts may be used from any thread. The EventLog must outlive every pending
// callback and every user of its parts. Readers (the router, retention) should stop before
// close(): afterwards reads and saves fail with kClosed and waits return at once.

#include <cstdint>
#include <memory>
#include <mutex>

#include "common/status.hpp"
#include "config/config.hpp"
#include "storage/backlog.hpp"
#include "storage/committed_sequence.hpp"
#include "storage/committer.hpp"
#include "storage/dedup_index.hpp"
#include "storage/delivery_state.hpp"
#include "storage/record_log.hpp"
#include "storage/shared_log_db.hpp"
#include "storage/source_store.hpp"

namespace rocksdb {
class DB;
class FileSystem;
}  // namespace rocksdb

namespace sluice::storage {

class LogDb;
class StorageMetrics;

class EventLog {
 public:
  // Opens (creating if needed) the log at config.path and starts the committer. metrics may be
  // null (tools and tests) and must otherwise outlive the log.
  // file_system, for tests, replaces RocksDB's default one (to inject faults).
  static Result<std::unique_ptr<EventLog>> open(
      const config::StorageConfig& config, StorageMetrics* metrics,
      const std::shared_ptr<rocksdb::FileSystem>& file_system = nullptr);

  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  RecordLog& records() { return records_; }
  const RecordLog& records() const { return records_; }
  DeliveryState& delivery_state() { return delivery_state_; }
  const DeliveryState& delivery_state() const { return delivery_state_; }
  SourceStore& source_store() { return source_store_; }
  DedupIndex& dedup() { return dedup_; }

  // Stops taking appends, commits everything already queued, completes its callbacks, stops
  // the committer and closes RocksDB (without syncing the WAL after a write RocksDB did not
  // recover from: log_db.hpp). Idempotent.
  void close();

 private:
  EventLog(const config::StorageConfig& config, StorageMetrics* metrics, LogDb& opened,
           std::unique_ptr<LogDb> db, std::uint64_t last_sequence);

  // In construction order: each part refers only to parts above it.
  SharedLogDb db_;
  CommittedSequence sequence_;
  Backlog backlog_;
  DedupIndex dedup_;
  Committer committer_;
  RecordLog records_;
  DeliveryState delivery_state_;
  SourceStore source_store_;
  std::once_flag close_once_;
};

}  // namespace sluice::storage
