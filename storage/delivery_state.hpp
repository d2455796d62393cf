#pragma once

// The durable delivery state of the router's destinations, in the event log's database: each
// destination's cursor (every record with a sequence <= the cursor is delivered or
// dead-lettered; 0: nothing yet) in the "cursors" column family, and its dead letters in
// "dead_letters" (dead_letter.hpp).
//
// DeliveryState reads that state and encodes changes to it as StatePuts; it writes nothing.
// EventLog hands the puts to its committer, the database's only writer, which writes them with
// its next group commit. Owned by EventLog, used only while the database is open. Thread-safe:
// reads are single RocksDB reads, encoding touches no shared state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "storage/dead_letter.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace sluice::storage {

// One change to write in one column family: a put of key, a delete of key, or a delete of the
// keys in [key, value).
struct StatePut {
  enum class Op { kPut, kDelete, kDeleteRange };
  rocksdb::ColumnFamilyHandle* family = nullptr;
  std::string key;
  std::string value;
  Op op = Op::kPut;
};

class DeliveryState {
 public:
  // db and the column families must outlive this object.
  DeliveryState(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& cursors,
                rocksdb::ColumnFamilyHandle& dead_letters);

  // 0 for a destination without a saved cursor.
  Result<std::uint64_t> load_cursor(std::string_view destination) const;
  // Every dead letter of destination, in sequence order, without their contents.
  Result<std::vector<DeadLetter>> dead_letters(std::string_view destination) const;
  // One dead letter with its contents; kNotFound when there is none.
  Result<DeadLetter> dead_letter(std::string_view destination, std::uint64_t first_sequence) const;

  // Sets destination's cursor to sequence.
  std::vector<StatePut> cursor_puts(std::string_view destination, std::uint64_t sequence) const;
  // Stores letter and, when given, moves its destination's cursor to cursor: written in one
  // batch, atomic.
  std::vector<StatePut> dead_letter_puts(const DeadLetter& letter,
                                         std::optional<std::uint64_t> cursor) const;
  std::vector<StatePut> dead_letter_erase_puts(std::string_view destination,
                                               std::uint64_t first_sequence) const;

 private:
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle& cursors_;
  rocksdb::ColumnFamilyHandle& dead_letters_;
};

}  // namespace sluice::storage
