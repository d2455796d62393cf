#include "storage/event_log.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <limits>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "storage/delivery_state.hpp"
#include "storage/log_db.hpp"
#include "storage/log_scan.hpp"
#include "storage/record.hpp"
#include "storage/record_group.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

// Waits longer than this are cut short; callers wait again. Keeps the deadline arithmetic of
// the condition variable far from overflow.
constexpr std::chrono::hours kMaxWait{24};

Status closed_error() {
  return Status::closed("the event log is closed");
}

// Above this, the committer's reusable write buffers are released after their group.
constexpr std::size_t kKeptBufferBytes = 16 << 20;

// The highest sequence number in the log, or 0 for an empty log.
std::optional<std::uint64_t> find_last_sequence(rocksdb::DB& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  const std::uint64_t after = sequence_after_last(*it);
  if (after == 0) return std::nullopt;
  return after - 1;
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(const config::StorageConfig& config,
                                                 StorageMetrics* metrics) {
  std::error_code ec;
  std::filesystem::create_directories(config.path, ec);
  if (ec) return Status::io_error("cannot create " + config.path + ": " + ec.message());
  Result<std::unique_ptr<LogDb>> opened = LogDb::open(config.path);
  if (!opened.is_ok()) return opened.status();
  std::unique_ptr<LogDb> db = std::move(opened).value();
  const auto last = find_last_sequence(db->db());
  if (!last) {
    return Status::corruption("the last value in the event log at " + config.path +
                              " is undecodable");
  }
  return std::unique_ptr<EventLog>(new EventLog(config, metrics, std::move(db), *last));
}

EventLog::EventLog(const config::StorageConfig& config, StorageMetrics* metrics,
                   std::unique_ptr<LogDb> db, std::uint64_t last_sequence)
    : config_(config),
      metrics_(metrics),
      db_(std::move(db)),
      delivery_state_(
          std::make_unique<DeliveryState>(db_->db(), *db_->cursors(), *db_->dead_letters())),
      last_sequence_(last_sequence) {
  refresh_backlog_bytes();
  if (metrics_) metrics_->last_sequence(last_sequence);
  committer_ = std::thread([this] { run_committer(); });
}

EventLog::~EventLog() {
  close();
}

Admission EventLog::admission(std::uint64_t bytes) const {
  if (closed_.load(std::memory_order_acquire) || failed_.load(std::memory_order_acquire)) {
    return Admission::kClosed;
  }
  if (backlog_bytes_.load(std::memory_order_relaxed) >= config_.max_backlog_bytes) {
    return Admission::kBacklogFull;
  }
  if (pending_bytes_.load(std::memory_order_relaxed) + bytes > config_.max_pending_bytes) {
    return Admission::kPendingFull;
  }
  return Admission::kAccepted;
}

Admission EventLog::append(std::vector<std::string> records, AppendCallback done) {
  std::uint64_t bytes = 0;
  for (const auto& record : records) bytes += record.size();
  Admission verdict = admission(bytes);
  if (verdict != Admission::kAccepted) return verdict;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Admission::kClosed;
    // Counted under the lock, before the committer can see (and subtract) this append.
    pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    queue_.push_back(PendingAppend{std::move(records), bytes, std::move(done)});
  }
  wake_committer_.notify_one();
  return Admission::kAccepted;
}

void EventLog::run_committer() {
  std::vector<PendingAppend> group;
  std::vector<StateWrite> state;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_committer_.wait(
          lock, [this] { return stopping_ || !queue_.empty() || !state_queue_.empty(); });
      if (queue_.empty() && state_queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
      state.swap(state_queue_);
    }
    commit_group(group, state);
    group.clear();
    state.clear();
  }
}

void EventLog::commit_group(std::vector<PendingAppend>& group, std::vector<StateWrite>& state) {
  auto started = std::chrono::steady_clock::now();
  std::uint64_t next = last_sequence_.load(std::memory_order_relaxed) + 1;
  rocksdb::WriteBatch& batch = batch_;
  batch.Clear();
  std::uint64_t group_bytes = 0;
  std::size_t record_count = 0;
  std::string& value = group_value_;
  for (const auto& append : group) {
    // One value per request (record_group.hpp): RocksDB's cost is per key, not per byte.
    value.clear();
    encode_record_group(append.records, value);
    batch.Put(encode_sequence_key(next + record_count), value);
    record_count += append.records.size();
    group_bytes += append.bytes;
  }
  // Cursors and dead letters ride along: same write, same fsync.
  for (const StateWrite& write : state) {
    for (const StatePut& put : write.puts) {
      switch (put.op) {
        case StatePut::Op::kPut:
          batch.Put(put.family, put.key, put.value);
          break;
        case StatePut::Op::kDelete:
          batch.Delete(put.family, put.key);
          break;
        case StatePut::Op::kDeleteRange:
          batch.DeleteRange(put.family, put.key, put.value);
          break;
      }
    }
  }

  rocksdb::WriteOptions options;
  options.sync = config_.durability == config::Durability::kFsync;
  rocksdb::Status status = failed_.load() ? rocksdb::Status::IOError("log failed earlier")
                                          : db_->db().Write(options, &batch);
  // The batch and the value buffer keep their memory for the next group: a fresh megabyte
  // batch per group is a realloc chain and a page fault per page. A rare huge group (a
  // backlog of queued requests) does not keep its memory.
  if (batch.GetDataSize() > kKeptBufferBytes) batch = rocksdb::WriteBatch();
  if (value.capacity() > kKeptBufferBytes) std::string().swap(value);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (status.ok() && record_count > 0) {
    last_sequence_.store(next + record_count - 1, std::memory_order_release);
    backlog_bytes_.fetch_add(group_bytes, std::memory_order_relaxed);
    notify_sequence_waiters();
  } else if (status.ok()) {
    // Only destination state was written: no new sequence, nothing for the metrics.
  } else if (!failed_.exchange(true)) {
    // A failed WAL write leaves RocksDB in read-only mode; refusing further appends (503) is
    // the honest answer until an operator looks.
    spdlog::error("event log write failed, refusing further events: {}", status.ToString());
  }
  pending_bytes_.fetch_sub(group_bytes, std::memory_order_relaxed);
  if (metrics_ && (record_count > 0 || !status.ok())) {
    if (status.ok()) {
      metrics_->group_committed(group.size(), record_count, seconds);
      metrics_->last_sequence(next + record_count - 1);
    } else {
      metrics_->commit_failed();
    }
    metrics_->pending_bytes(pending_bytes_.load(std::memory_order_relaxed));
  }

  std::uint64_t first = next;
  for (auto& append : group) {
    append.done(AppendResult{status.ok(), status.ok() ? first : 0});
    first += append.records.size();
  }
  for (StateWrite& write : state) {
    write.done.set_value(
        status.ok() ? Status::ok()
                    : Status::io_error("cannot write to the event log: " + status.ToString()));
  }
  refresh_backlog_bytes();
}

Status EventLog::write_state(std::vector<StatePut> puts, bool wait) {
  std::future<Status> written;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return closed_error();
    StateWrite& write = state_queue_.emplace_back();
    write.puts = std::move(puts);
    if (wait) written = write.done.get_future();
  }
  wake_committer_.notify_one();
  if (!wait) return Status::ok();
  return written.get();
}

void EventLog::refresh_backlog_bytes() {
  // Between refreshes backlog_bytes_ grows by what was written; RocksDB's own figures replace
  // that running sum once a second so compression and compaction are reflected.
  auto now = std::chrono::steady_clock::now();
  if (backlog_refreshed_at_ && now - *backlog_refreshed_at_ < std::chrono::seconds(1)) return;
  backlog_refreshed_at_ = now;
  std::uint64_t sst = 0, memtables = 0;
  db_->db().GetIntProperty("rocksdb.total-sst-files-size", &sst);
  db_->db().GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  const std::uint64_t floor = backlog_floor_.load(std::memory_order_relaxed);
  const std::uint64_t backlog =
      floor == 0 ? sst + memtables
                 : approximate_size(floor, std::numeric_limits<std::uint64_t>::max());
  backlog_bytes_.store(backlog, std::memory_order_relaxed);
  if (metrics_) metrics_->log_bytes(sst + memtables);
}

void EventLog::close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    closed_.store(true, std::memory_order_release);
    wake_committer_.notify_one();
    if (committer_.joinable()) committer_.join();
    notify_sequence_waiters();
    std::unique_lock lifetime(db_lifetime_);  // waits for reads in progress
    delivery_state_.reset();
    db_.reset();  // flushes the WAL and closes RocksDB
  });
}

void EventLog::notify_sequence_waiters() {
  // A waiter checks its condition while holding sequence_mutex_, so taking it here (after the
  // change it checks) means no waiter can be between its check and its wait: none misses this.
  { std::lock_guard lock(sequence_mutex_); }
  sequence_advanced_.notify_all();
}

bool EventLog::wait_for_sequence(std::uint64_t sequence, std::chrono::milliseconds timeout,
                                 std::stop_token stop) const {
  std::unique_lock lock(sequence_mutex_);
  return sequence_advanced_.wait_for(
             lock, std::move(stop), std::min<std::chrono::milliseconds>(timeout, kMaxWait),
             [&] {
               return last_sequence() >= sequence || closed_.load(std::memory_order_acquire);
             }) &&
         last_sequence() >= sequence;
}

Result<std::uint64_t> EventLog::read(std::uint64_t from, std::size_t max_records,
                                     std::size_t max_bytes, const RecordVisitor& visit) const {
  from = std::max<std::uint64_t>(from, 1);
  std::shared_lock lifetime(db_lifetime_);
  if (!db_) return closed_error();
  // Records the committer has written but not yet published are not read: their appends are
  // not complete yet.
  const std::uint64_t last = last_sequence();
  if (from > last) return from;
  const std::string upper_bound = encode_sequence_key(last + 1);
  const rocksdb::Slice upper_bound_slice(upper_bound);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->db().NewIterator(options));
  return scan_records(*it, from, max_records, max_bytes, visit, last + 1);
}

Result<std::uint64_t> EventLog::load_cursor(std::string_view destination) const {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return delivery_state_->load_cursor(destination);
}

// The committer writes these (write_state), which keeps it the only writer of the database.
// The shared lock keeps the column family handles in the puts alive until they are written;
// close() joins the committer, which completes every queued write, before it takes the lock.
Status EventLog::save_cursor(std::string_view destination, std::uint64_t sequence) {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return write_state(delivery_state_->cursor_puts(destination, sequence));
}

Status EventLog::queue_cursor(std::string_view destination, std::uint64_t sequence) {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return write_state(delivery_state_->cursor_puts(destination, sequence), false);
}

Status EventLog::save_dead_letter(const DeadLetter& letter, std::optional<std::uint64_t> cursor) {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return write_state(delivery_state_->dead_letter_puts(letter, cursor));
}

Status EventLog::erase_dead_letter(std::string_view destination, std::uint64_t first_sequence) {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return write_state(delivery_state_->dead_letter_erase_puts(destination, first_sequence));
}

Result<DeadLetter> EventLog::dead_letter(std::string_view destination,
                                         std::uint64_t first_sequence) const {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return delivery_state_->dead_letter(destination, first_sequence);
}

Status EventLog::delete_before(std::uint64_t sequence) {
  std::shared_lock lifetime(db_lifetime_);
  if (!db_) return closed_error();
  sequence = std::min(sequence, last_sequence());
  if (sequence <= 1) return Status::ok();
  // A request's records share one value: a value that holds `sequence` stays whole.
  std::uint64_t end_sequence = sequence;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->db().NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(encode_sequence_key(sequence));
    if (it->Valid()) {
      const auto first = decode_sequence_key(std::string_view(it->key().data(), it->key().size()));
      const auto count =
          stored_record_count(std::string_view(it->value().data(), it->value().size()));
      if (first && count && *first + *count > sequence) end_sequence = *first;
    }
  }
  const std::string begin = encode_sequence_key(0);
  const std::string end = encode_sequence_key(end_sequence);
  std::vector<StatePut> puts;
  puts.push_back({db_->db().DefaultColumnFamily(), begin, end, StatePut::Op::kDeleteRange});
  if (Status written = write_state(std::move(puts)); !written.is_ok()) return written;
  // Compaction is not a write of the log's contents, so it need not go through the committer;
  // it drops the deleted range's files and tombstones now instead of whenever RocksDB gets to
  // them.
  const rocksdb::Slice begin_slice(begin);
  const rocksdb::Slice end_slice(end);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const rocksdb::Status status = db_->db().CompactRange(options, &begin_slice, &end_slice);
  if (!status.ok()) {
    return Status::io_error("cannot compact the deleted range: " + status.ToString());
  }
  return Status::ok();
}

void EventLog::set_backlog_floor(std::uint64_t floor) {
  std::shared_lock lifetime(db_lifetime_);
  backlog_floor_.store(floor, std::memory_order_relaxed);
  // Refreshed here too: the committer refreshes only after writes, and there may be none.
  if (db_ && floor != 0) {
    backlog_bytes_.store(approximate_size(floor, std::numeric_limits<std::uint64_t>::max()),
                         std::memory_order_relaxed);
  }
}

std::uint64_t EventLog::approximate_bytes(std::uint64_t from, std::uint64_t to) const {
  std::shared_lock lifetime(db_lifetime_);
  if (!db_ || from >= to) return 0;
  return approximate_size(from, to);
}

std::uint64_t EventLog::approximate_size(std::uint64_t from, std::uint64_t to) const {
  const std::string begin = encode_sequence_key(from);
  const std::string end = encode_sequence_key(to);
  const rocksdb::Range range(begin, end);
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  options.files_size_error_margin = 0.1;  // a cheaper estimate; a gauge needs no more
  std::uint64_t size = 0;
  const rocksdb::Status status =
      db_->db().GetApproximateSizes(options, db_->db().DefaultColumnFamily(), &range, 1, &size);
  return status.ok() ? size : 0;
}

Result<std::vector<DeadLetter>> EventLog::dead_letters(std::string_view destination) const {
  std::shared_lock lifetime(db_lifetime_);
  if (!delivery_state_) return closed_error();
  return delivery_state_->dead_letters(destination);
}

}  // namespace sluice::storage
