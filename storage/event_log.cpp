#include "storage/event_log.hpp"

#include <filesystem>
#include <optional>

#include <rocksdb/db.h>

#include "storage/log_db.hpp"
#include "storage/log_scan.hpp"
#include "storage/storage_metrics.hpp"

namespace sluice::storage {
namespace {

// The highest sequence number in the log, or 0 for an empty log.
std::optional<std::uint64_t> find_last_sequence(rocksdb::DB& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  const std::uint64_t after = sequence_after_last(*it);
  if (after == 0) return std::nullopt;
  return after - 1;
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(
    const config::StorageConfig& config, StorageMetrics* metrics,
    const std::shared_ptr<rocksdb::FileSystem>& file_system) {
  std::error_code ec;
  std::filesystem::create_directories(config.path, ec);
  if (ec) return Status::io_error("cannot create " + config.path + ": " + ec.message());
  Result<std::unique_ptr<LogDb>> opened =
      LogDb::open(config.path, file_system, config.dedup_cache_bytes);
  if (!opened.is_ok()) return opened.status();
  std::unique_ptr<LogDb> db = std::move(opened).value();
  const auto last = find_last_sequence(db->db());
  if (!last) {
    return Status::corruption("the last value in the event log at " + config.path +
                              " is undecodable");
  }
  LogDb& log_db = *db;
  std::unique_ptr<EventLog> log(new EventLog(config, metrics, log_db, std::move(db), *last));
  if (!log->dedup_.status().is_ok()) return log->dedup_.status();
  return log;
}

EventLog::EventLog(const config::StorageConfig& config, StorageMetrics* metrics, LogDb& opened,
                   std::unique_ptr<LogDb> db, std::uint64_t last_sequence)
    : db_(std::move(db)),
      sequence_(last_sequence),
      backlog_(opened.db(), metrics),
      dedup_(opened, config.dedup_window),
      committer_(opened.db(), config.durability, sequence_, backlog_, &dedup_, metrics),
      records_(config, db_, committer_, sequence_, backlog_),
      delivery_state_(db_, committer_),
      source_store_(db_, committer_) {
  if (metrics != nullptr) metrics->backlog_limit(config.max_backlog_bytes);
}

EventLog::~EventLog() {
  close();
}

void EventLog::close() {
  std::call_once(close_once_, [this] {
    records_.close();                  // refuses appends; wakes readers waiting for a sequence
    committer_.stop();                 // writes what is queued, completes every callback and save
    dedup_.close();                    // lookups answer nothing from here on
    db_.close(committer_.writable());  // waits for reads in progress, then closes RocksDB
  });
}

}  // namespace sluice::storage
