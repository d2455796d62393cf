#include "warehouse/rows.hpp"

#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "api/timestamp.hpp"
#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

using storage::EventType;
using Names = std::vector<std::string>;

// The members the server appends to every stored message (docs/protocol.md §7), for the
// times of the worked example there.
constexpr std::string_view kServerMembers =
    R"("messageId":"m-1","timestamp":"2024-01-02T09:58:02.250Z",)"
    R"("originalTimestamp":"2024-01-02T10:00:00.000Z","receivedAt":"2024-01-02T09:58:07.250Z",)"
    R"("sentAt":"2024-01-02T10:00:05.000Z")";
constexpr std::string_view kContext =
    R"("context":{"ip":"203.0.113.7","library":{"name":"analytics.js","version":"3.3.0"}},)"
    R"("integrations":{"All":true},"version":2)";

const Names kMessageColumns = {"id",        "received_at",        "sent_at",
                               "timestamp", "original_timestamp", "user_id"};
const Names kContextColumns = {"context_ip", "context_library_name", "context_library_version"};

// A stored message: the client's members, then the server's in the order the ingestor writes.
std::string stored(std::string_view type, std::string_view own_members) {
  std::string json = "{";
  json += own_members;
  if (!own_members.empty()) json += ',';
  json += R"("type":")";
  json += type;
  json += "\",";
  json += kServerMembers;
  json += ',';
  json += kContext;
  json += '}';
  return json;
}

std::vector<Row> rows_for(EventType type, const std::string& json) {
  storage::Record record;
  record.type = type;
  record.source = "website";
  record.json = json;
  return rows_of(record);
}

// The only row of a record that must give exactly one.
Row row_for(EventType type, const std::string& json) {
  std::vector<Row> rows = rows_for(type, json);
  REQUIRE(rows.size() == 1);
  return rows[0];
}

// The columns of event_row before its properties: the message's (it has no anonymous_id),
// event, event_text and kContext's.
constexpr std::size_t kEventRowColumns = 11;

// The row in the event's own table of a track with these properties.
Row event_row(std::string_view properties) {
  const std::string own = std::string(R"("userId":"u1","event":"Product Viewed","properties":)") +
                          std::string(properties);
  std::vector<Row> rows = rows_for(EventType::kTrack, stored("track", own));
  REQUIRE(rows.size() == 2);
  return rows[1];
}

Names names_of(const Row& row) {
  Names names;
  for (const Column& column : row.columns) names.push_back(column.name);
  return names;
}

// The names after the row's first `skip` columns.
Names names_after(const Row& row, std::size_t skip) {
  const Names names = names_of(row);
  return skip < names.size() ? Names(names.begin() + static_cast<std::ptrdiff_t>(skip), names.end())
                             : Names{};
}

Names concat(std::initializer_list<Names> parts) {
  Names all;
  for (const Names& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

bool has_column(const Row& row, std::string_view name) {
  for (const Column& column : row.columns) {
    if (column.name == name) return true;
  }
  return false;
}

ColumnValue value_in(const Row& row, std::string_view name) {
  for (const Column& column : row.columns) {
    if (column.name == name) return column.value;
  }
  FAIL("the row of " << row.table << " has no column " << name);
  return {};
}

void check_value(const Row& row, std::string_view name, std::string_view type,
                 std::string_view text) {
  INFO("column " << name);
  const ColumnValue value = value_in(row, name);
  CHECK(sql_type(value.type) == type);
  CHECK(value.text == text);
  CHECK_FALSE(value.null);
}

// A double column whose text reads back as expected (its exact spelling is the shortest
// round-trip form, which may or may not use an exponent).
void check_double(const Row& row, std::string_view name, double expected) {
  INFO("column " << name);
  const ColumnValue value = value_in(row, name);
  CHECK(sql_type(value.type) == "double precision");
  CHECK(std::stod(value.text) == expected);
}

TEST_CASE("sql_type names each column type as PostgreSQL does", "[warehouse][rows]") {
  CHECK(sql_type(ColumnType::kBigint) == "bigint");
  CHECK(sql_type(ColumnType::kDouble) == "double precision");
  CHECK(sql_type(ColumnType::kBoolean) == "boolean");
  CHECK(sql_type(ColumnType::kTimestamp) == "timestamptz");
  CHECK(sql_type(ColumnType::kText) == "text");
  CHECK(sql_type(ColumnType::kJsonb) == "jsonb");
}

TEST_CASE("A track gives a tracks row and a row in the event's own table", "[warehouse][rows]") {
  const std::vector<Row> rows =
      rows_for(EventType::kTrack,
               stored("track", R"("userId":"u1","anonymousId":"a1","event":"Order Completed",)"
                               R"("properties":{"revenue":12.5,"productId":"p1"})"));
  REQUIRE(rows.size() == 2);
  const Row& tracks = rows[0];
  const Row& order = rows[1];

  SECTION("tables and modes") {
    CHECK(tracks.table == "tracks");
    CHECK(order.table == "order_completed");
    CHECK(tracks.mode == RowMode::kInsert);
    CHECK(order.mode == RowMode::kInsert);
  }
  SECTION("tracks has the message columns then context and no properties") {
    CHECK(names_of(tracks) ==
          concat({kMessageColumns, {"anonymous_id", "event", "event_text"}, kContextColumns}));
  }
  SECTION("the event's table: the same columns then the properties in document order") {
    CHECK(names_of(order) == concat({kMessageColumns,
                                     {"anonymous_id", "event", "event_text"},
                                     kContextColumns,
                                     {"revenue", "product_id"}}));
  }
  SECTION("the message's values") {
    for (const Row* row : {&tracks, &order}) {
      check_value(*row, "id", "text", "m-1");
      check_value(*row, "received_at", "timestamptz", "2024-01-02T09:58:07.250Z");
      check_value(*row, "sent_at", "timestamptz", "2024-01-02T10:00:05.000Z");
      check_value(*row, "timestamp", "timestamptz", "2024-01-02T09:58:02.250Z");
      check_value(*row, "original_timestamp", "timestamptz", "2024-01-02T10:00:00.000Z");
      check_value(*row, "user_id", "text", "u1");
      check_value(*row, "anonymous_id", "text", "a1");
      check_value(*row, "context_ip", "text", "203.0.113.7");
      check_value(*row, "context_library_name", "text", "analytics.js");
      check_value(*row, "context_library_version", "text", "3.3.0");
    }
  }
  SECTION("event holds the table's name and event_text the name as sent") {
    check_value(tracks, "event", "text", "order_completed");
    check_value(tracks, "event_text", "text", "Order Completed");
  }
  SECTION("the properties' values") {
    check_value(order, "revenue", "double precision", "12.5");
    check_value(order, "product_id", "text", "p1");
  }
}

TEST_CASE("The event's table is named by snake_case of the event", "[warehouse][rows]") {
  auto table_of = [](std::string_view event) {
    const std::string own = R"("userId":"u1","event":")" + std::string(event) + "\"";
    const std::vector<Row> rows = rows_for(EventType::kTrack, stored("track", own));
    REQUIRE(rows.size() == 2);
    return rows[1].table;
  };
  CHECK(table_of("Signed Up") == "signed_up");
  CHECK(table_of("checkoutStepViewed") == "checkout_step_viewed");
  CHECK(table_of("2nd Purchase") == "_2nd_purchase");
  const std::string long_event(80, 'e');
  CHECK(table_of(long_event) == snake_case(long_event));
  CHECK(table_of(long_event).size() == kMaxIdentifierBytes);
  // Named like a table of every schema, an event gets its own table beside it.
  CHECK(table_of("Users") == "track_users");
  CHECK(table_of("Pages") == "track_pages");
}

TEST_CASE("Message rows leave out the members a message does not have", "[warehouse][rows]") {
  SECTION("no sentAt and no userId or context") {
    const std::string json =
        R"({"anonymousId":"a1","event":"Signed Up","type":"track","messageId":"m-2",)"
        R"("timestamp":"2024-01-02T09:58:02.250Z","originalTimestamp":"2024-01-02T09:58:02.250Z",)"
        R"("receivedAt":"2024-01-02T09:58:07.250Z","version":2})";
    const std::vector<Row> rows = rows_for(EventType::kTrack, json);
    REQUIRE(rows.size() == 2);
    const Names expected = {"id",           "received_at", "timestamp", "original_timestamp",
                            "anonymous_id", "event",       "event_text"};
    CHECK(names_of(rows[0]) == expected);
    CHECK(names_of(rows[1]) == expected);
  }
  SECTION("a sentAt kept as sent because it does not parse is no column") {
    const std::string json =
        R"({"userId":"u1","event":"Signed Up","sentAt":"yesterday","type":"track",)"
        R"("messageId":"m-3","timestamp":"2024-01-02T09:58:02.250Z",)"
        R"("originalTimestamp":"2024-01-02T09:58:02.250Z","receivedAt":"2024-01-02T09:58:07.250Z"})";
    const std::vector<Row> rows = rows_for(EventType::kTrack, json);
    REQUIRE(rows.size() == 2);
    CHECK_FALSE(has_column(rows[0], "sent_at"));
    CHECK_FALSE(has_column(rows[1], "sent_at"));
  }
  SECTION("null and empty ids count as absent") {
    const std::vector<Row> rows = rows_for(
        EventType::kTrack,
        stored("track", R"("userId":null,"anonymousId":"","groupId":"g","event":"Signed Up")"));
    REQUIRE(rows.size() == 2);
    CHECK_FALSE(has_column(rows[0], "user_id"));
    CHECK_FALSE(has_column(rows[0], "anonymous_id"));
    CHECK_FALSE(has_column(rows[0], "group_id"));  // not a column of tracks
  }
  SECTION("a track without properties has only the message's columns in its table") {
    const std::vector<Row> rows =
        rows_for(EventType::kTrack, stored("track", R"("userId":"u1","event":"Signed Up")"));
    REQUIRE(rows.size() == 2);
    CHECK(names_of(rows[1]) == names_of(rows[0]));
  }
}

TEST_CASE("Values get the column type of their JSON kind", "[warehouse][rows]") {
  SECTION("integers that fit 64 bits are bigint") {
    const Row row = event_row(R"({"count":42,"zero":0,"negative":-7,"largest":9223372036854775807,)"
                              R"("smallest":-9223372036854775808})");
    check_value(row, "count", "bigint", "42");
    check_value(row, "zero", "bigint", "0");
    check_value(row, "negative", "bigint", "-7");
    check_value(row, "largest", "bigint", "9223372036854775807");
    check_value(row, "smallest", "bigint", "-9223372036854775808");
  }
  SECTION("unsigned integers beyond bigint are double precision") {
    const Row row = event_row(R"({"huge":18446744073709551615,"just_over":9223372036854775808})");
    check_double(row, "huge", 18446744073709551615.0);
    check_double(row, "just_over", 9223372036854775808.0);
  }
  SECTION("other numbers are double precision in their shortest form") {
    const Row row = event_row(R"({"price":12.5,"ratio":0.1,"whole":2.0,"tiny":-1.5e-7,)"
                              R"("vast":1e300})");
    check_value(row, "price", "double precision", "12.5");
    check_value(row, "ratio", "double precision", "0.1");
    check_value(row, "whole", "double precision", "2");
    check_double(row, "tiny", -1.5e-7);
    check_double(row, "vast", 1e300);
  }
  SECTION("booleans") {
    const Row row = event_row(R"({"gift":true,"returned":false})");
    check_value(row, "gift", "boolean", "true");
    check_value(row, "returned", "boolean", "false");
  }
  SECTION("strings that parse as timestamps are timestamptz in UTC") {
    const Row row =
        event_row(R"({"shipped":"2024-01-02T03:04:05.678+01:00","day":"2024-01-02",)"
                  R"("naive":"2024-01-02 03:04:05","precise":"2024-01-02T03:04:05.123456789Z"})");
    check_value(row, "shipped", "timestamptz", "2024-01-02T02:04:05.678Z");
    check_value(row, "day", "timestamptz", "2024-01-02T00:00:00.000Z");
    check_value(row, "naive", "timestamptz", "2024-01-02T03:04:05.000Z");
    check_value(row, "precise", "timestamptz", "2024-01-02T03:04:05.123Z");
  }
  SECTION("other strings are unescaped text") {
    const Row row = event_row(
        R"({"coupon":"SUMMER","digits":"42","bad_date":"2024-13-45","quoted":"say \"hi\"\n",)"
        R"("empty":"","accented":"caf\u00e9"})");
    check_value(row, "coupon", "text", "SUMMER");
    check_value(row, "digits", "text", "42");
    check_value(row, "bad_date", "text", "2024-13-45");
    check_value(row, "quoted", "text", "say \"hi\"\n");
    check_value(row, "empty", "text", "");
    check_value(row, "accented", "text", "café");
  }
  SECTION("null is a null value of a text column") {
    const Row row = event_row(R"({"coupon":null})");
    const ColumnValue value = value_in(row, "coupon");
    CHECK(value.null);
    CHECK(sql_type(value.type) == "text");
  }
  SECTION("arrays are jsonb as minified JSON") {
    const Row row = event_row(R"({"tags":["a",{"b":1},[true,null]],"none":[],"ids":[1,2,3]})");
    check_value(row, "tags", "jsonb", R"(["a",{"b":1},[true,null]])");
    check_value(row, "none", "jsonb", "[]");
    check_value(row, "ids", "jsonb", "[1,2,3]");
  }
}

TEST_CASE("Integers wider than 64 bits are read as doubles", "[warehouse][rows]") {
  const Row row = event_row(
      R"({"wide":123456789012345678901234,"negative_wide":-123456789012345678901234,)"
      R"("label":"a \"12345678901234567890123456\" b","count":3,"list":[123456789012345678901234]})");
  check_double(row, "wide", 123456789012345678901234.0);
  check_double(row, "negative_wide", -123456789012345678901234.0);
  check_value(row, "label", "text", "a \"12345678901234567890123456\" b");  // strings untouched
  check_value(row, "count", "bigint", "3");
  CHECK(sql_type(value_in(row, "list").type) == "jsonb");
}

TEST_CASE("Nested objects are flattened up to kMaxFlattenDepth levels", "[warehouse][rows]") {
  SECTION("properties of objects become prefix_key columns in document order") {
    const Row row = event_row(R"({"product":{"sku":"p1","price":{"amount":10,"currency":"EUR"}},)"
                              R"("shippingAddress":{"postalCode":"75001"},"after":true})");
    CHECK(names_after(row, kEventRowColumns) == Names{"product_sku", "product_price_amount",
                                                      "product_price_currency",
                                                      "shipping_address_postal_code", "after"});
    check_value(row, "product_price_amount", "bigint", "10");
    check_value(row, "shipping_address_postal_code", "text", "75001");
  }
  SECTION("objects deeper than the limit are one jsonb column") {
    static_assert(kMaxFlattenDepth == 4, "the JSON below nests one level deeper than the limit");
    const Row row =
        event_row(R"({"l1":{"l2":{"l3":{"l4":{"leaf":1,"l5":{"deep":true,"l6":{}}}}}}})");
    CHECK(names_after(row, kEventRowColumns) == Names{"l1_l2_l3_l4_leaf", "l1_l2_l3_l4_l5"});
    check_value(row, "l1_l2_l3_l4_leaf", "bigint", "1");
    check_value(row, "l1_l2_l3_l4_l5", "jsonb", R"({"deep":true,"l6":{}})");
  }
  SECTION("empty objects give no columns") {
    const Row row = event_row(R"({"empty":{},"nested":{"empty":{}},"kept":1})");
    CHECK(names_after(row, kEventRowColumns) == Names{"kept"});
  }
  SECTION("context is flattened with the same limit") {
    const std::string json =
        R"({"userId":"u1","event":"Signed Up","type":"track","messageId":"m-4",)"
        R"("receivedAt":"2024-01-02T09:58:07.250Z","context":{"page":{"url":"https://x.example/"},)"
        R"("a":{"b":{"c":{"d":{"e":{"f":1}}}}},"userAgent":"Mozilla/5.0"}})";
    const std::vector<Row> rows = rows_for(EventType::kTrack, json);
    REQUIRE(rows.size() == 2);
    CHECK(names_after(rows[0], 6) ==
          Names{"context_page_url", "context_a_b_c_d_e", "context_user_agent"});
    check_value(rows[0], "context_page_url", "text", "https://x.example/");
    check_value(rows[0], "context_a_b_c_d_e", "jsonb", R"({"f":1})");
  }
}

TEST_CASE("Properties named like the row's own columns are renamed", "[warehouse][rows]") {
  SECTION("track properties get property_") {
    const std::string json =
        R"({"userId":"u1","event":"Signed Up","properties":{"id":"p-9","timestamp":"2023-05-06",)"
        R"("event":"inner","event_text":"t","sent_at":"s","userId":"u9","anonymous_id":"a9",)"
        R"("original_timestamp":"o","received_at":"r","context":{"ip":"10.0.0.1"},)"
        R"("context_note":"n","contextual":"c"},"type":"track","messageId":"m-5",)"
        R"("timestamp":"2024-01-02T09:58:02.250Z","receivedAt":"2024-01-02T09:58:07.250Z"})";
    const std::vector<Row> rows = rows_for(EventType::kTrack, json);
    REQUIRE(rows.size() == 2);
    const Row& row = rows[1];
    CHECK(names_after(row, 6) ==
          Names{"property_id", "property_timestamp", "property_event", "property_event_text",
                "property_sent_at", "property_user_id", "property_anonymous_id",
                "property_original_timestamp", "property_received_at", "property_context_ip",
                "property_context_note", "contextual"});
    check_value(row, "id", "text", "m-5");
    check_value(row, "property_id", "text", "p-9");
    check_value(row, "property_timestamp", "timestamptz", "2023-05-06T00:00:00.000Z");
    check_value(row, "timestamp", "timestamptz", "2024-01-02T09:58:02.250Z");
    check_value(row, "event", "text", "signed_up");
    check_value(row, "property_event", "text", "inner");
    check_value(row, "user_id", "text", "u1");
    check_value(row, "property_context_ip", "text", "10.0.0.1");
  }
  SECTION("identify traits get trait_ in identifies and users") {
    const std::vector<Row> rows = rows_for(
        EventType::kIdentify,
        stored("identify",
               R"("userId":"u1","traits":{"id":"t1","email":"e@x.example","received_at":"r",)"
               R"("anonymous_id":"a","context_ip":"c"})"));
    REQUIRE(rows.size() == 2);
    CHECK(names_after(rows[0], 9) == Names{"trait_id", "email", "trait_received_at",
                                           "trait_anonymous_id", "trait_context_ip"});
    // users has no anonymous_id or context of its own
    CHECK(names_after(rows[1], 3) ==
          Names{"trait_id", "email", "trait_received_at", "anonymous_id", "context_ip"});
    check_value(rows[1], "id", "text", "u1");
    check_value(rows[1], "trait_id", "text", "t1");
  }
  SECTION("group traits and page and screen properties") {
    const Row group = row_for(
        EventType::kGroup,
        stored("group", R"("userId":"u1","groupId":"g1","traits":{"group_id":"x","name":"Acme"})"));
    CHECK(has_column(group, "trait_group_id"));
    check_value(group, "group_id", "text", "g1");
    check_value(group, "name", "text", "Acme");
    const Row page = row_for(
        EventType::kPage,
        stored("page", R"("userId":"u1","name":"Home","properties":{"name":"Home","path":"/"})"));
    check_value(page, "name", "text", "Home");
    check_value(page, "property_name", "text", "Home");
    const Row screen =
        row_for(EventType::kScreen,
                stored("screen", R"("userId":"u1","name":"Cart","properties":{"name":"Other"})"));
    check_value(screen, "name", "text", "Cart");
    check_value(screen, "property_name", "text", "Other");
  }
  SECTION("object properties get property_") {
    const Row row =
        row_for(EventType::kObject,
                R"({"type":"object","collection":"rooms","id":"r1","properties":{"id":"x",)"
                R"("received_at":"y","user_id":"z","context_ip":"c"},"messageId":"m-o",)"
                R"("receivedAt":"2026-12-07T12:00:00.000Z"})");
    CHECK(names_of(row) == Names{"id", "received_at", "property_id", "property_received_at",
                                 "user_id", "context_ip"});
    check_value(row, "id", "text", "r1");
  }
}

TEST_CASE("Names that meet after snake_case keep the first value", "[warehouse][rows]") {
  SECTION("spellings of one name") {
    const Row row =
        event_row(R"({"userName":"first","user_name":"second","User Name":"third","email":"e"})");
    CHECK(names_after(row, kEventRowColumns) == Names{"user_name", "email"});
    check_value(row, "user_name", "text", "first");
  }
  SECTION("a renamed property and one already named so") {
    const Row row = event_row(R"({"id":"renamed","property_id":"given"})");
    CHECK(names_after(row, kEventRowColumns) == Names{"property_id"});
    check_value(row, "property_id", "text", "renamed");
  }
  SECTION("a flattened name and a flat one") {
    const Row row = event_row(R"({"cart":{"size":2},"cart_size":3})");
    CHECK(names_after(row, kEventRowColumns) == Names{"cart_size"});
    check_value(row, "cart_size", "bigint", "2");
  }
  SECTION("a repeated key") {
    const Row row = event_row(R"({"plan":"pro","plan":"free"})");
    CHECK(names_after(row, kEventRowColumns) == Names{"plan"});
    check_value(row, "plan", "text", "pro");
  }
}

TEST_CASE("Long property names are cut to the identifier limit", "[warehouse][rows]") {
  const std::string key(70, 'k');
  const Row row = event_row(R"({")" + key + R"(":1,"nested":{")" + key + R"(":2}})");
  CHECK(names_after(row, kEventRowColumns) ==
        Names{snake_case(key), joined("nested", snake_case(key))});
  for (const Column& column : row.columns) CHECK(column.name.size() <= kMaxIdentifierBytes);
}

TEST_CASE("An identify gives an identifies row and a users row", "[warehouse][rows]") {
  const std::string json = stored(
      "identify",
      R"("userId":"u1","traits":{"email":"u1@example.com","plan":"pro","address":{"city":"Paris"}})");
  const std::vector<Row> rows = rows_for(EventType::kIdentify, json);
  REQUIRE(rows.size() == 2);
  const Row& identifies = rows[0];
  const Row& users = rows[1];

  SECTION("identifies has the message columns and context then traits at the top level") {
    CHECK(identifies.table == "identifies");
    CHECK(identifies.mode == RowMode::kInsert);
    CHECK(names_of(identifies) ==
          concat({kMessageColumns, kContextColumns, {"email", "plan", "address_city"}}));
    check_value(identifies, "id", "text", "m-1");
    check_value(identifies, "email", "text", "u1@example.com");
  }
  SECTION("users: keyed on userId and kept at the latest") {
    CHECK(users.table == "users");
    CHECK(users.mode == RowMode::kLatest);
    CHECK(names_of(users) ==
          Names{"id", "received_at", "timestamp", "email", "plan", "address_city"});
    check_value(users, "id", "text", "u1");
    check_value(users, "received_at", "timestamptz", "2024-01-02T09:58:07.250Z");
    check_value(users, "timestamp", "timestamptz", "2024-01-02T09:58:02.250Z");
    check_value(users, "address_city", "text", "Paris");
  }
}

TEST_CASE("An identify without userId gives no users row", "[warehouse][rows]") {
  const Row row = row_for(EventType::kIdentify,
                          stored("identify", R"("anonymousId":"a1","traits":{"plan":"free"})"));
  CHECK(row.table == "identifies");
  check_value(row, "anonymous_id", "text", "a1");
  check_value(row, "plan", "text", "free");
  CHECK_FALSE(has_column(row, "user_id"));
}

TEST_CASE("Numeric ids are kept as their digits", "[warehouse][rows]") {
  const std::vector<Row> rows =
      rows_for(EventType::kIdentify, stored("identify", R"("userId":42,"traits":{})"));
  REQUIRE(rows.size() == 2);
  check_value(rows[0], "user_id", "text", "42");
  check_value(rows[1], "id", "text", "42");
}

TEST_CASE("A group gives a groups row with group_id and traits", "[warehouse][rows]") {
  const Row row = row_for(
      EventType::kGroup,
      stored("group",
             R"("userId":"u1","groupId":"acme","traits":{"name":"Acme Inc","employees":40})"));
  CHECK(row.table == "groups");
  CHECK(row.mode == RowMode::kInsert);
  CHECK(names_of(row) ==
        concat({kMessageColumns, {"group_id"}, kContextColumns, {"name", "employees"}}));
  check_value(row, "group_id", "text", "acme");
  check_value(row, "employees", "bigint", "40");
}

TEST_CASE("Pages and screens give rows with name and properties", "[warehouse][rows]") {
  SECTION("a page's properties are its own columns") {
    const Row row = row_for(
        EventType::kPage,
        stored("page",
               R"("anonymousId":"a1","name":"Home","category":"Shop","properties":{"path":"/",)"
               R"("url":"https://shop.example.com/","referrer":"https://search.example/",)"
               R"("title":"Shop","search":"?q=1"})"));
    CHECK(row.table == "pages");
    CHECK(row.mode == RowMode::kInsert);
    CHECK(names_of(row) == concat({{"id", "received_at", "sent_at", "timestamp",
                                    "original_timestamp", "anonymous_id", "name"},
                                   kContextColumns,
                                   {"path", "url", "referrer", "title", "search"}}));
    check_value(row, "name", "text", "Home");
    check_value(row, "url", "text", "https://shop.example.com/");
    check_value(row, "search", "text", "?q=1");
  }
  SECTION("a screen") {
    const Row row =
        row_for(EventType::kScreen,
                stored("screen", R"("userId":"u1","name":"Cart","properties":{"items":3})"));
    CHECK(row.table == "screens");
    CHECK(names_of(row) == concat({kMessageColumns, {"name"}, kContextColumns, {"items"}}));
    check_value(row, "items", "bigint", "3");
  }
  SECTION("a page without a name has no name column") {
    const Row row = row_for(EventType::kPage, stored("page", R"("userId":"u1")"));
    CHECK(names_of(row) == concat({kMessageColumns, kContextColumns}));
  }
}

TEST_CASE("An alias gives an aliases row with previous_id", "[warehouse][rows]") {
  const Row row = row_for(EventType::kAlias, stored("alias", R"("previousId":"a1","userId":"u1")"));
  CHECK(row.table == "aliases");
  CHECK(row.mode == RowMode::kInsert);
  CHECK(names_of(row) == concat({kMessageColumns, {"previous_id"}, kContextColumns}));
  check_value(row, "previous_id", "text", "a1");
  check_value(row, "user_id", "text", "u1");
}

TEST_CASE("An object gives a row of its collection's table", "[warehouse][rows]") {
  SECTION("id and received_at then the properties flattened") {
    const Row row = row_for(
        EventType::kObject,
        R"({"type":"object","collection":"rooms","id":"2561341","properties":{"name":"Topaz",)"
        R"("beds":2,"amenities":{"wifi":true},"photos":["a.jpg"]},"messageId":"m-o",)"
        R"("receivedAt":"2026-12-07T12:00:00.000Z"})");
    CHECK(row.table == "rooms");
    CHECK(row.mode == RowMode::kReplace);
    CHECK(names_of(row) == Names{"id", "received_at", "name", "beds", "amenities_wifi", "photos"});
    check_value(row, "id", "text", "2561341");
    check_value(row, "received_at", "timestamptz", "2026-12-07T12:00:00.000Z");
    check_value(row, "beds", "bigint", "2");
    check_value(row, "amenities_wifi", "boolean", "true");
    check_value(row, "photos", "jsonb", R"(["a.jpg"])");
  }
  SECTION("empty properties leave id and received_at") {
    const Row row = row_for(
        EventType::kObject,
        R"({"type":"object","collection":"rooms","id":"42","properties":{},"messageId":"m",)"
        R"("receivedAt":"2026-12-07T12:00:00.000Z"})");
    CHECK(names_of(row) == Names{"id", "received_at"});
  }
  SECTION("a 64-byte collection is cut to an identifier") {
    const std::string collection(64, 'c');
    const Row row = row_for(EventType::kObject, R"({"type":"object","collection":")" + collection +
                                                    R"(","id":"1","properties":{},"messageId":"m",)"
                                                    R"("receivedAt":"2026-12-07T12:00:00.000Z"})");
    CHECK(row.table.size() == kMaxIdentifierBytes);
    CHECK(row.table == snake_case(collection));
  }
  SECTION("no collection or no id gives no row") {
    CHECK(rows_for(EventType::kObject,
                   R"({"type":"object","collection":"Rooms!","id":"1","properties":{}})")
              .empty());
    CHECK(rows_for(EventType::kObject, R"({"type":"object","id":"1","properties":{}})").empty());
    CHECK(rows_for(EventType::kObject, R"({"type":"object","collection":"rooms","properties":{}})")
              .empty());
  }
}

TEST_CASE("The record header stands in for members the JSON lacks", "[warehouse][rows]") {
  const std::string json = R"({"userId":"u1","event":"Signed Up","type":"track"})";
  storage::Record record;
  record.type = EventType::kTrack;
  record.received_at_ms = 1704189487250;  // 2024-01-02T09:58:07.250Z
  record.timestamp_ms = 1704189482250;    // 2024-01-02T09:58:02.250Z
  record.message_id = "from-header";
  record.json = json;
  const std::vector<Row> rows = rows_of(record);
  REQUIRE(rows.size() == 2);
  check_value(rows[0], "id", "text", "from-header");
  check_value(rows[0], "received_at", "timestamptz", api::format_timestamp(1704189487250));
  check_value(rows[0], "timestamp", "timestamptz", "2024-01-02T09:58:02.250Z");
  CHECK_FALSE(has_column(rows[0], "original_timestamp"));
}

TEST_CASE("Records that are not event objects give no rows", "[warehouse][rows]") {
  SECTION("JSON that is not an object") {
    CHECK(rows_for(EventType::kTrack, "[]").empty());
    CHECK(rows_for(EventType::kTrack, R"("track")").empty());
  }
  SECTION("text that is not JSON") {
    CHECK(rows_for(EventType::kTrack, "not json").empty());
    CHECK(rows_for(EventType::kTrack, R"({"event":"Signed Up")").empty());
    CHECK(rows_for(EventType::kTrack, "").empty());
  }
  SECTION("a message with no messageId in the JSON or the header") {
    CHECK(rows_for(EventType::kTrack, R"({"userId":"u1","event":"Signed Up"})").empty());
  }
  SECTION("a track without an event has no table of its own") {
    const std::vector<Row> rows = rows_for(EventType::kTrack, stored("track", R"("userId":"u1")"));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].table == "tracks");
    CHECK_FALSE(has_column(rows[0], "event"));
  }
}

TEST_CASE("rows_of reads one record after another", "[warehouse][rows]") {
  const std::string first = stored("track", R"("userId":"u1","event":"A","properties":{"x":1})");
  const std::string second = stored("alias", R"("previousId":"a1","userId":"u1")");
  const std::vector<Row> tracks = rows_for(EventType::kTrack, first);
  const std::vector<Row> aliases = rows_for(EventType::kAlias, second);
  REQUIRE(tracks.size() == 2);
  REQUIRE(aliases.size() == 1);
  check_value(tracks[1], "x", "bigint", "1");  // the rows own their text
  check_value(aliases[0], "previous_id", "text", "a1");
}

}  // namespace
}  // namespace sluice::warehouse
