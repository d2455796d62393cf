#pragma once

// Reading the log's keyspace (record_group.hpp): its records, its last sequence and the size
// of a stretch of it. Shared by RecordLog, Backlog and LogReader, which differ only in how they
// open the database.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/status.hpp"
#include "storage/record.hpp"

namespace rocksdb {
class DB;
class Iterator;
}  // namespace rocksdb

namespace sluice::storage {

// Called for each record in order; returns false to stop before consuming it. The Record's
// views are valid only during the call.
using RecordVisitor = std::function<bool(std::uint64_t sequence, const Record& record)>;

// Visits records from sequence `from` on, in order, through it (an iterator over the default
// column family, positioned here), within the limits of RecordLog::read. Returns where to read
// next: every record below it was consumed by the visitor (or does not exist), and the first
// record the visitor refused, if any, is there; `end` when the keyspace ran out. An error when
// RocksDB fails (kIoError) or a stored value is undecodable (kCorruption).
Result<std::uint64_t> scan_records(rocksdb::Iterator& it, std::uint64_t from,
                                   std::size_t max_records, std::size_t max_bytes,
                                   const RecordVisitor& visit, std::uint64_t end);

// The sequence after the last record in the keyspace (1 for an empty log), or 0 when the last
// value is malformed.
std::uint64_t sequence_after_last(rocksdb::Iterator& it);

// RocksDB's estimate of the bytes the records in [from, to) take, memtables included; 0 when
// it has none.
std::uint64_t approximate_range_bytes(rocksdb::DB& db, std::uint64_t from, std::uint64_t to);

}  // namespace sluice::storage
