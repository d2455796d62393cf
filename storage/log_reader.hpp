#pragma once

// Read-only access to an event log that a running server may be writing at the same time.
// Opens RocksDB as a secondary instance (it follows the primary's WAL), so `sluice log cat`
// sees every committed event, flushed to SST files or not.
//
// Not thread-safe; one reader per thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <rocksdb/db.h>

#include "common/status.hpp"
#include "storage/record.hpp"

namespace sluice::storage {

class LogReader {
 public:
  // Opens the log at path; kNotFound when there is none.
  static Result<std::unique_ptr<LogReader>> open(const std::string& path);
  ~LogReader();

  // Calls visit(sequence, record) for each record with sequence >= from, in order, until
  // visit returns false or limit records were visited (limit 0: no limit). An error when a
  // stored record cannot be decoded (kCorruption) or RocksDB fails (kIoError).
  Status scan(std::uint64_t from, std::uint64_t limit,
              const std::function<bool(std::uint64_t, const Record&)>& visit);

 private:
  LogReader(std::unique_ptr<rocksdb::DB> db, std::string secondary_path);

  std::unique_ptr<rocksdb::DB> db_;
  std::string secondary_path_;  // scratch directory of the secondary instance, removed at close
};

}  // namespace sluice::storage
