#pragma once

// The RocksDB database behind the event log, opened for writing with its column families:
//   default       the log itself: first sequence of a request -> its records (record_group.hpp)
//   cursors       destination name -> delivered-up-to sequence (delivery_state.hpp)
//   dead_letters  destination name, sequence -> DeadLetter (dead_letter.hpp)
// Column families that a later version added are opened too, so an older binary still opens
// the log. LogReader opens only the default column family, as a secondary instance.
//
// Owned by an EventLog, through its SharedLogDb. Not thread-safe itself; RocksDB calls on db()
// are.

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "common/status.hpp"

namespace sluice::storage {

inline constexpr const char* kCursorsColumnFamily = "cursors";
inline constexpr const char* kDeadLettersColumnFamily = "dead_letters";

class LogDb {
 public:
  // Opens (creating if needed) the database at path, adding missing column families.
  static Result<std::unique_ptr<LogDb>> open(const std::string& path);

  ~LogDb();
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* cursors() { return cursors_; }
  rocksdb::ColumnFamilyHandle* dead_letters() { return dead_letters_; }

 private:
  LogDb(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
        rocksdb::ColumnFamilyHandle* cursors, rocksdb::ColumnFamilyHandle* dead_letters);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // destroyed before db_ closes
  rocksdb::ColumnFamilyHandle* cursors_;
  rocksdb::ColumnFamilyHandle* dead_letters_;
};

}  // namespace sluice::storage
