#include "warehouse/rows.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <span>
#include <utility>

#include <simdjson.h>

#include "api/objects.hpp"
#include "api/timestamp.hpp"
#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// The columns each table has of its own; a property or trait named like one of them is
// renamed rather than allowed to overwrite it.
constexpr std::string_view kTrackColumns[] = {
    "id",      "received_at",  "sent_at", "timestamp", "original_timestamp",
    "user_id", "anonymous_id", "event",   "event_text"};
constexpr std::string_view kIdentifyColumns[] = {
    "id", "received_at", "sent_at", "timestamp", "original_timestamp", "user_id", "anonymous_id"};
constexpr std::string_view kGroupColumns[] = {
    "id",      "received_at",  "sent_at", "timestamp", "original_timestamp",
    "user_id", "anonymous_id", "group_id"};
constexpr std::string_view kPageColumns[] = {
    "id",      "received_at",  "sent_at", "timestamp", "original_timestamp",
    "user_id", "anonymous_id", "name"};
constexpr std::string_view kAliasColumns[] = {"id",           "received_at",        "sent_at",
                                              "timestamp",    "original_timestamp", "user_id",
                                              "anonymous_id", "previous_id"};
constexpr std::string_view kUserColumns[] = {"id", "received_at", "timestamp"};
constexpr std::string_view kObjectColumns[] = {"id", "received_at"};

constexpr std::string_view kContextPrefix = "context";

// A row under construction: keeps its column names unique, the first of a name winning.
class RowBuilder {
 public:
  RowBuilder(std::string table, RowMode mode, std::span<const std::string_view> own_columns,
             bool has_context)
      : own_columns_(own_columns), has_context_(has_context) {
    row_.table = std::move(table);
    row_.mode = mode;
  }

  void add(std::string name, ColumnValue value) {
    // A row has a few dozen columns: a scan costs less than keeping a copy of every name in a
    // set, which would allocate twice per column.
    const bool taken = std::any_of(row_.columns.begin(), row_.columns.end(),
                                   [&name](const Column& column) { return column.name == name; });
    if (taken) return;
    row_.columns.push_back(Column{std::move(name), std::move(value)});
  }

  // Whether name is one of the table's own columns, present in this row or not, so that a
  // property gets the same column in every row of the table.
  bool is_own(std::string_view name) const {
    for (const std::string_view own : own_columns_) {
      if (name == own) return true;
    }
    return has_context_ && name.size() > kContextPrefix.size() &&
           name.starts_with(kContextPrefix) && name[kContextPrefix.size()] == '_';
  }

  // The event's own table starts as a copy of its "tracks" row.
  void rename(std::string table) { row_.table = std::move(table); }

  const Row& row() const { return row_; }
  Row take() { return std::move(row_); }

 private:
  Row row_;
  std::span<const std::string_view> own_columns_;
  bool has_context_;
};

ColumnValue text_value(std::string text) {
  return ColumnValue{ColumnType::kText, std::move(text)};
}

ColumnValue timestamp_value(std::int64_t ms) {
  return ColumnValue{ColumnType::kTimestamp, api::format_timestamp(ms)};
}

// The shortest text that reads back as the same double, as PostgreSQL's float8 input takes it.
std::string double_text(double number) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof(text), number);
  return std::string(text, result.ptr);
}

ColumnValue number_value(element value) {
  if (std::int64_t integer = 0; value.get_int64().get(integer) == simdjson::SUCCESS) {
    return ColumnValue{ColumnType::kBigint, std::to_string(integer)};
  }
  // simdjson reads an integer as unsigned only above INT64_MAX, which bigint cannot hold.
  if (std::uint64_t integer = 0; value.get_uint64().get(integer) == simdjson::SUCCESS) {
    return ColumnValue{ColumnType::kDouble, double_text(static_cast<double>(integer))};
  }
  double number = 0;
  if (value.get_double().get(number) != simdjson::SUCCESS) number = 0;  // the type says double
  return ColumnValue{ColumnType::kDouble, double_text(number)};
}

ColumnValue string_value(std::string_view text) {
  if (const auto ms = api::parse_timestamp(text)) return timestamp_value(*ms);
  return text_value(std::string(text));
}

// One JSON value as a column value; objects reach here only when they are not flattened.
ColumnValue value_of(element value) {
  switch (value.type()) {
    case element_type::ARRAY:
    case element_type::OBJECT:
      return ColumnValue{ColumnType::kJsonb, simdjson::minify(value)};
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return number_value(value);
    case element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) text = {};
      return string_value(text);
    }
    case element_type::BOOL: {
      bool flag = false;
      if (value.get_bool().get(flag) != simdjson::SUCCESS) flag = false;
      return ColumnValue{ColumnType::kBoolean, flag ? "true" : "false"};
    }
    case element_type::NULL_VALUE:
      break;
  }
  return ColumnValue{ColumnType::kText, {}, true};
}

// Adds object's members as columns, nested objects flattened into prefix_key_subkey while they
// are at most kMaxFlattenDepth levels below the top; depth is object's own level (the top is
// 0). A column named like one of the row's own is renamed rename_prefix_<name>.
void add_flattened(RowBuilder& row, object members, const std::string& prefix, int depth,
                   std::string_view rename_prefix) {
  for (const auto field : members) {
    const std::string key = snake_case(field.key);
    std::string name = prefix.empty() ? key : joined(prefix, key);
    object inner;
    if (depth < kMaxFlattenDepth && field.value.get_object().get(inner) == simdjson::SUCCESS) {
      add_flattened(row, inner, name, depth + 1, rename_prefix);
      continue;
    }
    if (!rename_prefix.empty() && row.is_own(name)) name = joined(rename_prefix, name);
    row.add(std::move(name), value_of(field.value));
  }
}

// Adds the members of event[key], when it is an object, at the top level of the row.
void add_members_of(RowBuilder& row, object event, std::string_view key,
                    std::string_view rename_prefix) {
  object members;
  if (event[key].get_object().get(members) != simdjson::SUCCESS) return;
  add_flattened(row, members, std::string(), 0, rename_prefix);
}

void add_context(RowBuilder& row, object event) {
  object context;
  if (event["context"].get_object().get(context) != simdjson::SUCCESS) return;
  add_flattened(row, context, std::string(kContextPrefix), 0, {});
}

// A non-empty string member; absent, null and empty are all "not given" (docs/protocol.md §6).
std::optional<std::string_view> string_member(object event, std::string_view key) {
  std::string_view text;
  if (event[key].get_string().get(text) != simdjson::SUCCESS || text.empty()) return std::nullopt;
  return text;
}

// An id: the ingestor stores numeric ids as strings, but a number is taken as its digits too.
std::optional<std::string> id_member(object event, std::string_view key) {
  element value;
  if (event[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
  }
  if (value.is_int64() || value.is_uint64()) return simdjson::minify(value);
  return std::nullopt;
}

std::optional<std::int64_t> time_member(object event, std::string_view key) {
  const auto text = string_member(event, key);
  return text ? api::parse_timestamp(*text) : std::nullopt;
}

void add_time(RowBuilder& row, std::string name, std::optional<std::int64_t> ms) {
  if (ms) row.add(std::move(name), timestamp_value(*ms));
}

void add_id(RowBuilder& row, std::string name, std::optional<std::string> id) {
  if (id) row.add(std::move(name), text_value(std::move(*id)));
}

// id and the times and ids every message row has; false without a messageId to key on. The
// record header holds receivedAt and timestamp too, for a JSON that somehow lacks them.
bool add_message_columns(RowBuilder& row, object event, const storage::Record& record) {
  std::optional<std::string> id = id_member(event, "messageId");
  if (!id && !record.message_id.empty()) id = std::string(record.message_id);
  if (!id) return false;
  add_id(row, "id", std::move(id));
  const auto received_at = time_member(event, "receivedAt");
  add_time(row, "received_at", received_at.value_or(record.received_at_ms));
  add_time(row, "sent_at", time_member(event, "sentAt"));
  add_time(row, "timestamp", time_member(event, "timestamp").value_or(record.timestamp_ms));
  add_time(row, "original_timestamp", time_member(event, "originalTimestamp"));
  add_id(row, "user_id", id_member(event, "userId"));
  add_id(row, "anonymous_id", id_member(event, "anonymousId"));
  return true;
}

// The tables every source's schema has: an event or a collection named like one of them gets a
// table of its own beside it ("track_users", "object_pages"), never rows in it.
constexpr std::array<std::string_view, 7> kMessageTables{"tracks", "identifies", "users",  "groups",
                                                         "pages",  "screens",    "aliases"};

std::string table_beside_message_tables(std::string name, std::string_view prefix) {
  if (std::find(kMessageTables.begin(), kMessageTables.end(), name) == kMessageTables.end()) {
    return name;
  }
  return joined(prefix, name);
}

void rows_of_track(object event, const storage::Record& record, std::vector<Row>& rows) {
  RowBuilder row("tracks", RowMode::kInsert, kTrackColumns, true);
  if (!add_message_columns(row, event, record)) return;
  const auto name = string_member(event, "event");
  // Segment's event column holds the event's table name, event_text the name as sent.
  if (name) {
    row.add("event", text_value(snake_case(*name)));
    row.add("event_text", text_value(std::string(*name)));
  }
  add_context(row, event);
  rows.push_back(row.row());
  if (!name) return;  // no table to name
  row.rename(table_beside_message_tables(snake_case(*name), "track"));
  add_members_of(row, event, "properties", "property");
  rows.push_back(row.take());
}

void rows_of_identify(object event, const storage::Record& record, std::vector<Row>& rows) {
  RowBuilder identify("identifies", RowMode::kInsert, kIdentifyColumns, true);
  if (!add_message_columns(identify, event, record)) return;
  add_context(identify, event);
  add_members_of(identify, event, "traits", "trait");
  rows.push_back(identify.take());

  std::optional<std::string> user_id = id_member(event, "userId");
  if (!user_id) return;
  RowBuilder user("users", RowMode::kLatest, kUserColumns, false);
  add_id(user, "id", std::move(user_id));
  add_time(user, "received_at", time_member(event, "receivedAt").value_or(record.received_at_ms));
  add_time(user, "timestamp", time_member(event, "timestamp").value_or(record.timestamp_ms));
  add_members_of(user, event, "traits", "trait");
  rows.push_back(user.take());
}

void rows_of_group(object event, const storage::Record& record, std::vector<Row>& rows) {
  RowBuilder row("groups", RowMode::kInsert, kGroupColumns, true);
  if (!add_message_columns(row, event, record)) return;
  add_id(row, "group_id", id_member(event, "groupId"));
  add_context(row, event);
  add_members_of(row, event, "traits", "trait");
  rows.push_back(row.take());
}

void rows_of_page(std::string table, object event, const storage::Record& record,
                  std::vector<Row>& rows) {
  RowBuilder row(std::move(table), RowMode::kInsert, kPageColumns, true);
  if (!add_message_columns(row, event, record)) return;
  if (const auto name = string_member(event, "name")) {
    row.add("name", text_value(std::string(*name)));
  }
  add_context(row, event);
  add_members_of(row, event, "properties", "property");
  rows.push_back(row.take());
}

void rows_of_alias(object event, const storage::Record& record, std::vector<Row>& rows) {
  RowBuilder row("aliases", RowMode::kInsert, kAliasColumns, true);
  if (!add_message_columns(row, event, record)) return;
  add_id(row, "previous_id", id_member(event, "previousId"));
  add_context(row, event);
  rows.push_back(row.take());
}

void rows_of_object(object event, const storage::Record& record, std::vector<Row>& rows) {
  const auto collection = string_member(event, "collection");
  if (!collection || !api::valid_collection(*collection)) return;
  std::optional<std::string> id = id_member(event, "id");
  if (!id) return;
  // A collection may be 64 bytes long, one more than an identifier: cut it as names are cut.
  RowBuilder row(table_beside_message_tables(joined({}, *collection), "object"), RowMode::kReplace,
                 kObjectColumns, false);
  add_id(row, "id", std::move(id));
  add_time(row, "received_at", time_member(event, "receivedAt").value_or(record.received_at_ms));
  add_members_of(row, event, "properties", "property");
  rows.push_back(row.take());
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Whether a JSON number is an integer that neither int64 nor uint64 holds.
bool is_wide_integer(std::string_view number) {
  if (number.find_first_of(".eE") != std::string_view::npos) return false;
  const char* end = number.data() + number.size();
  if (number.front() == '-') {
    std::int64_t value = 0;
    return std::from_chars(number.data(), end, value).ec == std::errc::result_out_of_range;
  }
  std::uint64_t value = 0;
  return std::from_chars(number.data(), end, value).ec == std::errc::result_out_of_range;
}

// json with every integer too wide for 64 bits written as a decimal ("123…890.0"). The log
// keeps such integers as sent (docs/protocol.md §6) but simdjson refuses them; as decimals it
// reads them as the doubles their column holds anyway.
std::string with_wide_integers_as_decimals(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  bool in_string = false;
  for (std::size_t at = 0; at < json.size();) {
    const char c = json[at];
    if (in_string || c == '"') {
      out += c;
      ++at;
      if (c == '"') {
        in_string = !in_string;
      } else if (c == '\\' && at < json.size()) {
        out += json[at++];  // an escaped quote does not end the string
      }
      continue;
    }
    if (c != '-' && !is_digit(c)) {
      out += c;
      ++at;
      continue;
    }
    std::size_t end = at + 1;
    while (end < json.size() && (is_digit(json[end]) || json[end] == '.' || json[end] == 'e' ||
                                 json[end] == 'E' || json[end] == '+' || json[end] == '-')) {
      ++end;
    }
    const std::string_view number = json.substr(at, end - at);
    out += number;
    if (is_wide_integer(number)) out += ".0";
    at = end;
  }
  return out;
}

// The record's JSON object, in the thread's parser (valid until its next parse).
bool parse_event(std::string_view json, simdjson::dom::parser& parser, object& event) {
  if (json.empty()) return false;  // simdjson would copy from a null pointer
  element root;
  simdjson::error_code error = parser.parse(json.data(), json.size()).get(root);
  if (error == simdjson::NUMBER_ERROR) {
    const std::string widened = with_wide_integers_as_decimals(json);
    error = parser.parse(widened.data(), widened.size()).get(root);  // parse copies the text
  }
  return error == simdjson::SUCCESS && root.get_object().get(event) == simdjson::SUCCESS;
}

}  // namespace

std::string_view sql_type(ColumnType type) {
  switch (type) {
    case ColumnType::kBigint:
      return "bigint";
    case ColumnType::kDouble:
      return "double precision";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kTimestamp:
      return "timestamptz";
    case ColumnType::kText:
      return "text";
    case ColumnType::kJsonb:
      return "jsonb";
  }
  return "text";
}

std::vector<Row> rows_of(const storage::Record& record) {
  thread_local simdjson::dom::parser parser;
  object event;
  if (!parse_event(record.json, parser, event)) return {};
  std::vector<Row> rows;
  switch (record.type) {
    case storage::EventType::kTrack:
      rows_of_track(event, record, rows);
      break;
    case storage::EventType::kIdentify:
      rows_of_identify(event, record, rows);
      break;
    case storage::EventType::kGroup:
      rows_of_group(event, record, rows);
      break;
    case storage::EventType::kPage:
      rows_of_page("pages", event, record, rows);
      break;
    case storage::EventType::kScreen:
      rows_of_page("screens", event, record, rows);
      break;
    case storage::EventType::kAlias:
      rows_of_alias(event, record, rows);
      break;
    case storage::EventType::kObject:
      rows_of_object(event, record, rows);
      break;
  }
  return rows;
}

}  // namespace sluice::warehouse
