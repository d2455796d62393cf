#include "warehouse/table_catalog.hpp"

#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

// What another loader's concurrent DDL can answer: the object exists already (42P07 table,
// 42P06 schema, 42701 column, 42710 the row type PostgreSQL makes with each table), or the
// catalog's own unique index saw the race (23505).
bool lost_a_race(const PgOutcome& outcome) {
  return outcome.sqlstate == "42P07" || outcome.sqlstate == "42P06" ||
         outcome.sqlstate == "42701" || outcome.sqlstate == "42710" || outcome.sqlstate == "23505";
}

std::string qualified(const std::string& schema, const std::string& table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

}  // namespace

ColumnType column_type_of(std::string_view catalog_type) {
  if (catalog_type == "bigint" || catalog_type == "integer" || catalog_type == "smallint") {
    return ColumnType::kBigint;
  }
  if (catalog_type == "double precision" || catalog_type == "real" || catalog_type == "numeric") {
    return ColumnType::kDouble;
  }
  if (catalog_type == "boolean") return ColumnType::kBoolean;
  if (catalog_type.starts_with("timestamp")) return ColumnType::kTimestamp;
  if (catalog_type == "jsonb" || catalog_type == "json") return ColumnType::kJsonb;
  return ColumnType::kText;
}

bool fits(ColumnType column, const ColumnValue& value) {
  if (value.null || column == ColumnType::kText) return true;
  if (column == ColumnType::kDouble) {
    return value.type == ColumnType::kDouble || value.type == ColumnType::kBigint;
  }
  return column == value.type;
}

PgOutcome TableCatalog::read(PgConnection& connection, const std::string& schema,
                             const std::string& table, Columns& out) {
  PgRows rows;
  PgOutcome outcome = connection.query(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = $1 AND table_name = $2",
      {schema, table}, rows);
  if (!outcome.ok) return outcome;
  out.clear();
  for (const auto& row : rows) out.emplace(row.at(0), column_type_of(row.at(1)));
  return outcome;
}

PgOutcome TableCatalog::create_table(PgConnection& connection, const std::string& schema,
                                     const std::string& table) {
  PgOutcome outcome = connection.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
  if (!outcome.ok && !lost_a_race(outcome)) return outcome;
  // uuid_ts: when the row was loaded, as Segment's warehouses have it.
  outcome =
      connection.execute("CREATE TABLE IF NOT EXISTS " + qualified(schema, table) +
                         " (id text PRIMARY KEY, uuid_ts timestamptz NOT NULL DEFAULT now())");
  if (!outcome.ok && !lost_a_race(outcome)) return outcome;
  return PgOutcome::success();
}

PgOutcome TableCatalog::prepare(PgConnection& connection, const std::string& schema,
                                const std::string& table, const ColumnList& columns,
                                const Columns*& known) {
  const std::string key = schema + "." + table;
  auto found = tables_.find(key);
  if (found == tables_.end()) {
    Columns read_columns;
    PgOutcome outcome = read(connection, schema, table, read_columns);
    if (!outcome.ok) return outcome;
    if (read_columns.empty()) {
      outcome = create_table(connection, schema, table);
      if (!outcome.ok) return outcome;
      outcome = read(connection, schema, table, read_columns);
      if (!outcome.ok) return outcome;
    }
    found = tables_.emplace(key, std::move(read_columns)).first;
  }
  // Every new column in one statement: each DDL statement is a transaction of its own, and a
  // table's first batch can bring dozens of columns. A statement that lost a race to another
  // loader added nothing (it is atomic): the catalog is read and what is still missing added
  // again.
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::string additions;
    for (const auto& [name, value] : columns) {
      if (found->second.contains(name)) continue;
      const ColumnType type = value.null ? ColumnType::kText : value.type;
      additions += additions.empty() ? " ADD COLUMN IF NOT EXISTS " : ", ADD COLUMN IF NOT EXISTS ";
      additions += quote_identifier(name) + " " + std::string(sql_type(type));
    }
    if (additions.empty()) break;
    PgOutcome outcome = connection.execute("ALTER TABLE " + qualified(schema, table) + additions);
    if (!outcome.ok && !lost_a_race(outcome)) return outcome;
    // Another loader may have added a column first, with the type of its first value.
    outcome = read(connection, schema, table, found->second);
    if (!outcome.ok) return outcome;
  }
  known = &found->second;
  return PgOutcome::success();
}

}  // namespace sluice::warehouse
