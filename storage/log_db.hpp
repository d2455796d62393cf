#pragma once

// The RocksDB database behind the event log, opened for writing with its column families:
//   default       the log itself: first sequence of a request -> its records (record_group.hpp)
//   cursors       destination name -> delivered-up-to sequence (delivery_state.hpp)
//   dead_letters  destination name, sequence -> DeadLetter (dead_letter.hpp)
//   sources       source name -> a source created through the admin API (source_store.hpp)
//   dedup         the dedup index: bucket end, dedup key -> sequence (dedup_index.hpp)
// Column families that a later version added are opened too, so an older binary still opens
// the log. LogReader opens only the default column family, as a secondary instance.
//
// Owned by an EventLog, through its SharedLogDb. Not thread-safe itself; RocksDB calls on db()
// are.
//
// Closing syncs the WAL, so that with durability "wal" a clean shutdown leaves everything on the
// disk, unless a write failed and RocksDB has not resumed since: then the WAL's file writer holds
// the failure, and RocksDB (built with assertions) aborts on a sync or flush of it. Everything
// acknowledged was written before the failure, so the log closes without that sync.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "common/status.hpp"

namespace sluice::storage {

inline constexpr const char* kCursorsColumnFamily = "cursors";
inline constexpr const char* kDeadLettersColumnFamily = "dead_letters";
inline constexpr const char* kSourcesColumnFamily = "sources";
inline constexpr const char* kDedupColumnFamily = "dedup";

class LogDb {
 public:
  // Opens (creating if needed) the database at path, adding missing column families. Files are
  // read and written through file_system when given (tests inject faults this way), else
  // through RocksDB's default one.
  // dedup_cache_bytes sizes the block cache of the dedup buckets.
  static Result<std::unique_ptr<LogDb>> open(
      const std::string& path, const std::shared_ptr<rocksdb::FileSystem>& file_system = nullptr,
      std::uint64_t dedup_cache_bytes = 8 << 20);

  ~LogDb();
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* cursors() { return cursors_; }
  rocksdb::ColumnFamilyHandle* dead_letters() { return dead_letters_; }
  rocksdb::ColumnFamilyHandle* sources() { return sources_; }
  rocksdb::ColumnFamilyHandle* dedup() { return dedup_; }

  // Whether close (the destructor) syncs the WAL; true until told otherwise.
  void set_sync_wal_at_close(bool sync) { sync_wal_at_close_ = sync; }

 private:
  LogDb(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
        std::vector<rocksdb::ColumnFamilyHandle*> handles);

  std::unique_ptr<rocksdb::Env> env_;  // null: RocksDB's default; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // destroyed before db_ closes
  rocksdb::ColumnFamilyHandle* cursors_ = nullptr;
  rocksdb::ColumnFamilyHandle* dead_letters_ = nullptr;
  rocksdb::ColumnFamilyHandle* sources_ = nullptr;
  rocksdb::ColumnFamilyHandle* dedup_ = nullptr;
  bool sync_wal_at_close_ = true;
};

}  // namespace sluice::storage
