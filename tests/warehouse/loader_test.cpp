// What the loader decides without a server: COPY's text escaping, which values fit which
// columns, and how the catalog's type names read. The loading itself runs against a real
// PostgreSQL in tests/integration/warehouse_test.cpp.

#include <catch2/catch.hpp>

#include "warehouse/pg_connection.hpp"
#include "warehouse/table_catalog.hpp"
#include "warehouse/warehouse_loader.hpp"

namespace sluice::warehouse {
namespace {

ColumnValue value(ColumnType type, std::string text = "x") {
  return ColumnValue{type, std::move(text), false};
}

}  // namespace

TEST_CASE("COPY text escapes what would end a field or a row", "[warehouse]") {
  std::string out;
  constexpr std::string_view kText("a\tb\nc\rd\\e\0f", 11);
  append_copy_text(out, kText);
  CHECK(out == "a\\tb\\nc\\rd\\\\ef");
}

TEST_CASE("A value fits a column of its type or a wider one", "[warehouse]") {
  CHECK(fits(ColumnType::kText, value(ColumnType::kBigint)));
  CHECK(fits(ColumnType::kText, value(ColumnType::kJsonb)));
  CHECK(fits(ColumnType::kDouble, value(ColumnType::kBigint)));
  CHECK(fits(ColumnType::kDouble, value(ColumnType::kDouble)));
  CHECK_FALSE(fits(ColumnType::kBigint, value(ColumnType::kDouble)));
  CHECK_FALSE(fits(ColumnType::kBigint, value(ColumnType::kText)));
  CHECK_FALSE(fits(ColumnType::kBoolean, value(ColumnType::kText)));
  CHECK_FALSE(fits(ColumnType::kTimestamp, value(ColumnType::kText)));
  CHECK_FALSE(fits(ColumnType::kJsonb, value(ColumnType::kText)));
  CHECK(fits(ColumnType::kTimestamp, value(ColumnType::kTimestamp)));
  CHECK(fits(ColumnType::kBigint, ColumnValue{ColumnType::kText, {}, true}));  // NULL
}

TEST_CASE("Catalog type names read as the closest column type", "[warehouse]") {
  CHECK(column_type_of("bigint") == ColumnType::kBigint);
  CHECK(column_type_of("integer") == ColumnType::kBigint);
  CHECK(column_type_of("double precision") == ColumnType::kDouble);
  CHECK(column_type_of("numeric") == ColumnType::kDouble);
  CHECK(column_type_of("boolean") == ColumnType::kBoolean);
  CHECK(column_type_of("timestamp with time zone") == ColumnType::kTimestamp);
  CHECK(column_type_of("jsonb") == ColumnType::kJsonb);
  CHECK(column_type_of("character varying") == ColumnType::kText);
  CHECK(column_type_of("uuid") == ColumnType::kText);
}

TEST_CASE("Failures that may pass are told from those that will not", "[warehouse]") {
  CHECK(PgOutcome{false, "", "could not connect"}.transient());
  CHECK(PgOutcome{false, "08006", "connection failure"}.transient());
  CHECK(
      PgOutcome{false, "57P01", "terminating connection due to administrator command"}.transient());
  CHECK(PgOutcome{false, "40P01", "deadlock detected"}.transient());
  CHECK(PgOutcome{false, "53300", "too many connections"}.transient());
  CHECK_FALSE(PgOutcome{false, "42501", "permission denied for schema website"}.transient());
  CHECK_FALSE(PgOutcome{false, "42601", "syntax error"}.transient());
  CHECK_FALSE(PgOutcome::success().transient());
}

}  // namespace sluice::warehouse
