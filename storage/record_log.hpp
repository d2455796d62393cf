#pragma once

// The log of records as its users see it. Intake appends through IntakeLog: append() queues a
// request's records for the committer (committer.hpp) and never blocks on RocksDB; admission()
// says whether more are taken. The router reads what is committed: read() visits records up to
// last_sequence(), and wait_for_sequence() sleeps until the committer has gone past a sequence.
// Retention deletes what every destination has (delete_before) and tells where the backlog
// starts (set_backlog_floor).
//
// Part of an EventLog, which builds it and closes it. Thread-safety: every method may be called
// from any thread. Readers should stop before the log closes: afterwards read() fails with
// kClosed and wait_for_sequence() returns at once.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/config.hpp"
#include "storage/intake_log.hpp"
#include "storage/log_scan.hpp"

namespace sluice::storage {

class Backlog;
class CommittedSequence;
class Committer;
class SharedLogDb;

class RecordLog final : public IntakeLog {
 public:
  // Every referenced object must outlive the RecordLog.
  RecordLog(const config::StorageConfig& config, SharedLogDb& db, Committer& committer,
            CommittedSequence& sequence, Backlog& backlog);
  RecordLog(const RecordLog&) = delete;
  RecordLog& operator=(const RecordLog&) = delete;

  // IntakeLog. The callback runs on the committer's thread.
  using IntakeLog::append;
  Admission append(std::vector<std::string> records, std::vector<std::optional<DedupKey>> keys,
                   AppendCallback done) override;
  Admission admission(std::uint64_t bytes = 0) const override;
  bool dedups() const override { return dedups_; }

  std::uint64_t last_sequence() const;
  // The bytes intake's 503 limit weighs (backlog.hpp).
  std::uint64_t backlog_bytes() const;
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

  // Deletes every record below sequence, except the last record of the log, which carries the
  // sequence over a restart; then compacts the range so its space is reclaimed. The delete is
  // written by the committer. Blocks until done.
  Status delete_before(std::uint64_t sequence);
  // RocksDB's estimate of the bytes records in [from, to) take, memtables included.
  std::uint64_t approximate_bytes(std::uint64_t from, std::uint64_t to) const;
  // Records below floor are delivered everywhere: backlog_bytes() (and so the 503 limit)
  // counts only what is at or above it. 0, the default: the whole log is backlog.
  void set_backlog_floor(std::uint64_t floor);

  // Stops taking appends and wakes every wait_for_sequence(); later ones return at once.
  // EventLog::close() calls it before it stops the committer.
  void close();

 private:
  const std::uint64_t max_backlog_bytes_;
  const std::uint64_t max_pending_bytes_;
  const bool dedups_;
  SharedLogDb& db_;
  Committer& committer_;
  CommittedSequence& sequence_;
  Backlog& backlog_;
  std::atomic<bool> closed_{false};
};

}  // namespace sluice::storage
