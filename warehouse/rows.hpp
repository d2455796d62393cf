#pragma once

// Stored events as the rows of Segment's warehouse schema (docs/warehouse.md): which tables one
// event goes to, and each row's columns with their values and the PostgreSQL type a new column
// for the value would get. Pure: no connection, no catalog; the loader (warehouse_loader.hpp)
// creates what is missing and fits values to the columns that exist.
//
// Per event, in this order:
//   track     "tracks" and the table named by the event ("Order Completed" -> "order_completed",
//             "Users" -> "track_users" beside the message tables), with every property as a
//             column
//   identify  "identifies" (traits as columns) and "users" (id = userId, the latest traits)
//   group     "groups" (group_id, traits as columns)
//   page      "pages" (name and properties as columns: path, url, referrer, title, search, ...)
//   screen    "screens" (name and properties as columns)
//   alias     "aliases" (previous_id)
//   object    the collection's table (id = the object's id, properties as columns; a collection
//             named like a message table gets "object_" before its name)
// Every message row has id (the messageId), received_at, sent_at, timestamp,
// original_timestamp, user_id, anonymous_id and context flattened as context_* columns; tracks
// also event and event_text. Nested objects are flattened with '_' ("context_page_url");
// arrays, and objects nested deeper than kMaxFlattenDepth, are single jsonb columns. A property
// whose column name is one of the row's own columns ("id", "timestamp") is stored as
// "property_<name>" (traits: "trait_<name>"), so it cannot overwrite them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record.hpp"

namespace sluice::warehouse {

// Objects nested deeper than this inside properties, traits or context become one jsonb column.
inline constexpr int kMaxFlattenDepth = 4;

enum class ColumnType : std::uint8_t {
  kBigint,  // integers that fit 64 bits
  kDouble,  // other numbers
  kBoolean,
  kTimestamp,  // ISO-8601 strings (api::parse_timestamp accepts them)
  kText,       // other strings
  kJsonb,      // arrays, and objects not flattened
};

// "bigint", "double precision", "boolean", "timestamptz", "text", "jsonb".
std::string_view sql_type(ColumnType type);

struct ColumnValue {
  ColumnType type = ColumnType::kText;  // the type of a new column made for this value
  // The value as PostgreSQL's text input reads it for that type: "42", "1.5", "true",
  // "2024-01-02T03:04:05.678Z", the string itself, or the JSON text for jsonb. Unused when null.
  std::string text;
  bool null = false;  // a JSON null: the column is still created, as text
};

struct Column {
  std::string name;  // a PostgreSQL name: see names.hpp (snake_case, at most 63 bytes, unique)
  ColumnValue value;
};

// How a row joins its table, whose primary key is id.
enum class RowMode : std::uint8_t {
  kInsert,   // a new row; a row with the same id is kept as it is (a redelivery)
  kLatest,   // "users": replaces the row with the same id when its timestamp is not older
  kReplace,  // objects: replaces the row with the same id, merging columns it names
};

struct Row {
  std::string table;  // a PostgreSQL name (names.hpp)
  RowMode mode = RowMode::kInsert;
  std::vector<Column> columns;  // "id" first; names unique within the row
};

// The rows of one stored event; empty when the record's JSON is not an object the log could
// hold (it always is: the ingestor wrote it) or a message lacks what its table keys on (an
// identify without userId gives no "users" row).
std::vector<Row> rows_of(const storage::Record& record);

}  // namespace sluice::warehouse
