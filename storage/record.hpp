#pragma once

// Encoding of one stored event: a compact header the router can filter on without touching
// JSON, followed by the event's enriched, minified JSON exactly as it will be delivered.
//
// Layout (version 1), all integers little-endian:
//   u8  format version
//   u8  EventType
//   i64 receivedAt, ms since the Unix epoch
//   i64 timestamp (skew-corrected), ms since the Unix epoch
//   varint length + bytes: source name, messageId, client ip (may be empty)
//   the JSON text, to the end of the value
//
// Record is a view: its string_views point into the encoded bytes (decode) or into caller
// memory (encode), which must outlive it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/event_type.hpp"

namespace sluice::storage {

struct Record {
  EventType type = EventType::kTrack;
  std::int64_t received_at_ms = 0;
  std::int64_t timestamp_ms = 0;
  std::string_view source;
  std::string_view message_id;
  std::string_view ip;
  std::string_view json;
};

// Appends the encoding of record to out.
void encode_record(const Record& record, std::string& out);

// Decodes bytes produced by encode_record; nullopt when they are truncated or of an unknown
// format version.
std::optional<Record> decode_record(std::string_view bytes);

// Log keys are 8-byte big-endian sequence numbers, so RocksDB's bytewise order is log order.
using SequenceKey = std::array<char, 8>;
SequenceKey sequence_key(std::uint64_t sequence);  // without an allocation
std::string encode_sequence_key(std::uint64_t sequence);
std::optional<std::uint64_t> decode_sequence_key(std::string_view key);

}  // namespace sluice::storage
