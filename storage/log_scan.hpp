#pragma once

// Reading records out of the log's keyspace (record_group.hpp): shared by EventLog::read and
// LogReader, which differ only in how they open the database.

#include <cstddef>
#include <cstdint>

#include "storage/event_log.hpp"

namespace rocksdb {
class Iterator;
}

namespace sluice::storage {

// Visits records from sequence `from` on, in order, through it (an iterator over the default
// column family, positioned here), within the limits of EventLog::read. When the keyspace runs
// out the returned next is `end`.
ReadStatus scan_records(rocksdb::Iterator& it, std::uint64_t from, std::size_t max_records,
                        std::size_t max_bytes, const RecordVisitor& visit, std::uint64_t end);

// The sequence after the last record in the keyspace (1 for an empty log), or 0 when the last
// value is malformed.
std::uint64_t sequence_after_last(rocksdb::Iterator& it);

}  // namespace sluice::storage
