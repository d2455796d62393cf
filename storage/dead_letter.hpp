#pragma once

// A batch that a destination refused for good (or that ran out of attempts), kept in the
// log's "dead_letters" column family so that an operator can see it and, later, redeliver it.
// It names the events by their sequence range in the log; only the events of that range that
// pass the destination's filters were in the batch.
//
// Key: destination name, a 0 byte, the 8-byte big-endian first sequence, so one destination's
// dead letters are adjacent and in log order (names cannot contain a 0 byte: config/ checks).
// Value (integers big-endian): u8 version (2), u64 first, u64 last, u64 events, u64 attempts,
// i64 dead-lettered-at ms since the epoch, u64 reason length, the reason, then for each event of
// the batch: u64 sequence, u64 record length, the record. Version 1 (no contents, the reason to
// the end) is still read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage {

// One event of a dead-lettered batch: its sequence and its stored record (record.hpp), kept in
// the dead letter itself so that retention may delete the log range it came from.
struct DeadLetterEvent {
  std::uint64_t sequence = 0;
  std::string record;

  bool operator==(const DeadLetterEvent&) const = default;
};

struct DeadLetter {
  std::string destination;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::uint64_t events = 0;    // events in the batch (filtered-out ones of the range excluded)
  std::uint64_t attempts = 0;  // delivery attempts made
  std::int64_t dead_lettered_at_ms = 0;
  std::string reason;                     // the destination's last answer
  std::vector<DeadLetterEvent> contents;  // the batch's events; empty when listed without them

  bool operator==(const DeadLetter&) const = default;
};

std::string dead_letter_key(std::string_view destination, std::uint64_t first_sequence);
// The prefix every dead-letter key of destination starts with.
std::string dead_letter_prefix(std::string_view destination);
std::string encode_dead_letter_value(const DeadLetter& letter);
// Decodes a key and value written by the functions above, the contents only when asked for;
// nullopt when malformed.
std::optional<DeadLetter> decode_dead_letter(std::string_view key, std::string_view value,
                                             bool with_contents = true);

}  // namespace sluice::storage
