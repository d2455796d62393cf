#pragma once

// The database's one writer: a thread that writes everything queued since its last write as one
// RocksDB WriteBatch (group commit), with one fsync per group with durability "fsync". A group
// holds the records of many appends (one value per append, record_group.hpp) and the other
// changes handed to it (StatePut: destination cursors and dead letters, retention's deletes),
// so those share the group's write and its fsync.
//
// The committer numbers the records: contiguous sequences after CommittedSequence::last(),
// published there once the group is written. Then, on its thread, it calls each append's callback
// exactly once, in queue order, and wakes each waiting write().
//
// A failed write fails its group (nothing in it is acknowledged) and takes the log out of service:
// RocksDB has stopped writes, and the WAL file whose write failed must not be written or synced
// again (RocksDB, built with assertions, aborts). While recovering, the committer fails every
// group without touching the database and calls DB::Resume() with a backoff (100 ms, doubling to
// 1 s); once RocksDB has resumed on a fresh WAL, intake goes on. Only errors that cannot heal
// (corruption, data loss) put it in the failed state for good.
//
// Thread-safety: submit(), write() and queue() may be called from any thread; stop() from the
// owner. Callbacks run on the committer's thread and must not call back into it. The database,
// the CommittedSequence and the Backlog must outlive the Committer; stop() (or the destructor)
// drains the queue, so every accepted append gets its callback.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <rocksdb/write_batch.h>

#include "common/mutex.hpp"
#include "common/status.hpp"
#include "config/config.hpp"
#include "storage/dedup_index.hpp"
#include "storage/intake_log.hpp"
#include "storage/record.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace sluice::storage {

class Backlog;
class CommittedSequence;
class StorageMetrics;

// One change besides records to write with the next group, in one column family: a put of key, a
// delete of key, or a delete of the keys in [key, value). The family handle must stay valid until
// the change is written (the caller holds a SharedLogDb lease meanwhile).
struct StatePut {
  enum class Op { kPut, kDelete, kDeleteRange };
  rocksdb::ColumnFamilyHandle* family = nullptr;
  std::string key;
  std::string value;
  Op op = Op::kPut;
};

class Committer {
 public:
  // Starts the thread. dedup and metrics may be null (tools and tests; dedup off).
  Committer(rocksdb::DB& db, config::Durability durability, CommittedSequence& sequence,
            Backlog& backlog, DedupIndex* dedup, StorageMetrics* metrics);
  // Stops if the owner did not.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues records (each an encode_record() output, bytes in all) to be written together, in
  // order; keys as IntakeLog::append() takes them. False once stopping: then done is never
  // called.
  bool submit(std::vector<std::string> records, std::vector<std::optional<DedupKey>> keys,
              std::uint64_t bytes, AppendCallback done) EXCLUDES(mutex_);

  // Queues puts for the next group and waits until they are written (fsynced with durability
  // "fsync"). kClosed once stopping, kIoError when the write failed.
  Status write(std::vector<StatePut> puts) EXCLUDES(mutex_);
  // Like write(), without waiting: the puts are written with the next group, after everything
  // queued before them. Fails only once stopping.
  Status queue(std::vector<StatePut> puts) EXCLUDES(mutex_);

  // Bytes of records queued and not yet written.
  std::uint64_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }
  // Whether groups are written now: false while recovering from a failed write and once failed
  // for good.
  bool writable() const { return health_.load(std::memory_order_acquire) == Health::kWritable; }

  // Refuses further submits and writes, writes everything already queued, completes it and
  // joins the thread. Idempotent.
  void stop() EXCLUDES(mutex_);

 private:
  enum class Health : std::uint8_t {
    kWritable,
    kRecovering,  // a write failed; resuming RocksDB until it succeeds
    kFailed,      // an error that does not heal: nothing more is written
  };

  struct PendingAppend {
    std::vector<std::string> records;
    std::vector<std::optional<DedupKey>> keys;
    std::uint64_t bytes = 0;
    AppendCallback done;
    // Set while committing: which records were stored before (empty: none), and the result.
    std::vector<bool> duplicate;
    AppendResult result;
  };

  struct StateWrite {
    std::vector<StatePut> puts;
    std::promise<Status> done;  // set once written, or with why the write failed
  };

  // Queues puts; a future for the write's outcome when wait.
  Status enqueue(std::vector<StatePut> puts, std::future<Status>* written) EXCLUDES(mutex_);
  void run() EXCLUDES(mutex_);
  void commit_group(std::vector<PendingAppend>& group, std::vector<StateWrite>& state);
  // Marks the group's records whose keys were stored before, or earlier in the group.
  void find_duplicates(std::vector<PendingAppend>& group, std::int64_t now_ms);
  // Adds an append's records that are not duplicates to the batch under sequence first, with
  // their dedup keys under the bucket prefix (when dedup is on). What was added: records and
  // their bytes.
  struct Added {
    std::size_t records = 0;
    std::uint64_t bytes = 0;
  };
  Added add_append(PendingAppend& append, std::uint64_t first, const std::string& bucket_prefix);
  // A write failed with status: recover, or fail for good when it cannot heal.
  void write_failed(const rocksdb::Status& status);
  // One attempt to bring the database back into service; the committer's thread only.
  void try_resume();

  rocksdb::DB& db_;
  const bool sync_;
  CommittedSequence& sequence_;
  Backlog& backlog_;
  DedupIndex* dedup_;
  StorageMetrics* metrics_;

  Mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<PendingAppend> queue_ GUARDED_BY(mutex_);
  std::vector<StateWrite> state_queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;

  // The thread's write buffers, reused from group to group; only the committer's thread.
  rocksdb::WriteBatch batch_;
  std::string group_value_;
  // A group's new dedup index entries, written sorted: a memtable insert starts where the one
  // before it ended, so ascending keys cost far fewer comparisons. Fixed-size, so a key costs
  // no allocation on the committer's thread.
  struct IndexEntry {
    DedupIndex::IndexKey key;
    SequenceKey sequence;
  };
  std::vector<IndexEntry> index_entries_;

  // While recovering: when to call Resume() next, and the wait after that; the committer's
  // thread only.
  std::chrono::steady_clock::time_point resume_at_;
  std::chrono::milliseconds resume_backoff_{0};

  std::atomic<std::uint64_t> pending_bytes_{0};
  std::atomic<Health> health_{Health::kWritable};
  std::once_flag stop_once_;
  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace sluice::storage
