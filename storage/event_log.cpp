#include "storage/event_log.hpp"

#include <chrono>
#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "storage/record.hpp"
#include "storage/rocksdb_options.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

// The highest sequence number in the log, or 0 for an empty log.
std::uint64_t find_last_sequence(rocksdb::DB& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  it->SeekToLast();
  if (!it->Valid()) return 0;
  return decode_sequence_key(std::string_view(it->key().data(), it->key().size())).value_or(0);
}

}  // namespace

std::unique_ptr<EventLog> EventLog::open(const config::StorageConfig& config,
                                         StorageMetrics* metrics, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(config.path, ec);
  if (ec) {
    *error = "cannot create " + config.path + ": " + ec.message();
    return nullptr;
  }
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(log_db_options(), config.path, &raw_db);
  if (!status.ok()) {
    *error = "cannot open the event log at " + config.path + ": " + status.ToString();
    return nullptr;
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  std::uint64_t last = find_last_sequence(*db);
  return std::unique_ptr<EventLog>(new EventLog(config, metrics, std::move(db), last));
}

EventLog::EventLog(const config::StorageConfig& config, StorageMetrics* metrics,
                   std::unique_ptr<rocksdb::DB> db, std::uint64_t last_sequence)
    : config_(config), metrics_(metrics), db_(std::move(db)), last_sequence_(last_sequence) {
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
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_committer_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
    }
    commit_group(group);
    group.clear();
  }
}

void EventLog::commit_group(std::vector<PendingAppend>& group) {
  auto started = std::chrono::steady_clock::now();
  std::uint64_t next = last_sequence_.load(std::memory_order_relaxed) + 1;
  rocksdb::WriteBatch batch;
  std::uint64_t group_bytes = 0;
  std::size_t record_count = 0;
  for (const auto& append : group) {
    for (const auto& record : append.records) {
      std::string key = encode_sequence_key(next + record_count);
      batch.Put(key, record);
      ++record_count;
    }
    group_bytes += append.bytes;
  }

  rocksdb::WriteOptions options;
  options.sync = config_.durability == config::Durability::kFsync;
  rocksdb::Status status =
      failed_.load() ? rocksdb::Status::IOError("log failed earlier") : db_->Write(options, &batch);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (status.ok()) {
    last_sequence_.store(next + record_count - 1, std::memory_order_release);
    backlog_bytes_.fetch_add(group_bytes, std::memory_order_relaxed);
  } else if (!failed_.exchange(true)) {
    // A failed WAL write leaves RocksDB in read-only mode; refusing further appends (503) is
    // the honest answer until an operator looks.
    spdlog::error("event log write failed, refusing further events: {}", status.ToString());
  }
  pending_bytes_.fetch_sub(group_bytes, std::memory_order_relaxed);
  if (metrics_) {
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
  refresh_backlog_bytes();
}

void EventLog::refresh_backlog_bytes() {
  // Between refreshes backlog_bytes_ grows by what was written; RocksDB's own figures replace
  // that running sum once a second so compression and compaction are reflected.
  auto now = std::chrono::steady_clock::now();
  if (backlog_refreshed_at_ && now - *backlog_refreshed_at_ < std::chrono::seconds(1)) return;
  backlog_refreshed_at_ = now;
  std::uint64_t sst = 0, memtables = 0;
  db_->GetIntProperty("rocksdb.total-sst-files-size", &sst);
  db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  backlog_bytes_.store(sst + memtables, std::memory_order_relaxed);
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
    if (db_) {
      db_->FlushWAL(true);
      db_->Close();
      db_.reset();
    }
  });
}

}  // namespace sluice::storage
