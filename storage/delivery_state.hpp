#pragma once

// The durable delivery state of the router's destinations, in the event log's database: each
// destination's cursor (every record with a sequence <= the cursor is delivered or
// dead-lettered; 0: nothing yet) in the "cursors" column family, and its dead letters in
// "dead_letters" (dead_letter.hpp).
//
// Reads are RocksDB reads; changes are handed to the committer (committer.hpp), the database's
// only writer, which writes them with its next group commit, sharing its write and its fsync.
//
// Part of an EventLog, which builds it. Thread-safety: every method may be called from any
// thread. After the log closes every method fails with kClosed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "storage/committer.hpp"
#include "storage/dead_letter.hpp"

namespace sluice::storage {

class LogDb;
class SharedLogDb;

class DeliveryState {
 public:
  // db and committer must outlive the DeliveryState.
  DeliveryState(SharedLogDb& db, Committer& committer);
  DeliveryState(const DeliveryState&) = delete;
  DeliveryState& operator=(const DeliveryState&) = delete;

  // 0 for a destination without a saved cursor.
  Result<std::uint64_t> load_cursor(std::string_view destination) const;
  // Sets destination's cursor and waits until it is written (fsynced with durability "fsync").
  Status save_cursor(std::string_view destination, std::uint64_t sequence);
  // Like save_cursor, without waiting: the committer writes it with its next group, after
  // everything queued before it. For a cursor that only moves forward, where losing the last
  // save to a crash costs duplicates, never a skipped event.
  Status queue_cursor(std::string_view destination, std::uint64_t sequence);

  // Every dead letter of destination, in sequence order, without their contents.
  Result<std::vector<DeadLetter>> dead_letters(std::string_view destination) const;
  // One dead letter with its contents; kNotFound when there is none.
  Result<DeadLetter> dead_letter(std::string_view destination, std::uint64_t first_sequence) const;
  // Stores letter and, when given, moves its destination's cursor to cursor, in one write.
  Status save_dead_letter(const DeadLetter& letter, std::optional<std::uint64_t> cursor);
  Status erase_dead_letter(std::string_view destination, std::uint64_t first_sequence);

 private:
  // The change that sets destination's cursor to sequence.
  static StatePut cursor_put(LogDb& db, std::string_view destination, std::uint64_t sequence);

  SharedLogDb& db_;
  Committer& committer_;
};

}  // namespace sluice::storage
