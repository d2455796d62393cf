#include "warehouse/warehouse_loader.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>

#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

constexpr std::string_view kUniqueViolation = "23505";

// The columns of a table's rows, in the order first seen, each with its first non-null value
// (whose type a new column takes).
ColumnList union_of_columns(const std::vector<Row>& rows) {
  ColumnList columns;
  std::map<std::string, std::size_t, std::less<>> position;
  for (const Row& row : rows) {
    for (const Column& column : row.columns) {
      const auto [at, added] = position.emplace(column.name, columns.size());
      if (added) {
        columns.emplace_back(column.name, column.value);
      } else if (columns[at->second].second.null && !column.value.null) {
        columns[at->second].second = column.value;
      }
    }
  }
  return columns;
}

const ColumnValue* value_in(const Row& row, const std::string& name) {
  for (const Column& column : row.columns) {
    if (column.name == name) return &column.value;
  }
  return nullptr;
}

// Rows that replace by id become one row per id (one INSERT cannot update a row twice): the
// versions merged in order, each one's values over the earlier ones', so that two objects
// sent in one batch end as they would have in two. Users' versions go in timestamp order (the
// newest identify wins); objects' in log order.
std::vector<Row> merged_by_id(const TableRows& table) {
  std::vector<const Row*> ordered;
  for (const Row& row : table.rows) {
    if (value_in(row, "id") != nullptr) ordered.push_back(&row);
  }
  if (table.mode == RowMode::kLatest) {
    const auto timestamp_of = [](const Row* row) {
      const ColumnValue* value = value_in(*row, "timestamp");
      return value != nullptr ? value->text : std::string();
    };
    std::stable_sort(ordered.begin(), ordered.end(),
                     [&](const Row* a, const Row* b) { return timestamp_of(a) < timestamp_of(b); });
  }
  std::vector<Row> merged;
  std::map<std::string, std::size_t, std::less<>> by_id;
  for (const Row* row : ordered) {
    const auto [at, added] = by_id.emplace(value_in(*row, "id")->text, merged.size());
    if (added) {
      merged.push_back(*row);
      continue;
    }
    Row& into = merged[at->second];
    for (const Column& column : row->columns) {
      if (column.value.null) continue;
      auto existing = std::find_if(into.columns.begin(), into.columns.end(),
                                   [&](const Column& c) { return c.name == column.name; });
      if (existing == into.columns.end()) {
        into.columns.push_back(column);
      } else {
        existing->value = column.value;
      }
    }
  }
  return merged;
}

std::string column_list(const ColumnList& columns) {
  std::string list;
  for (const auto& [name, value] : columns) {
    if (!list.empty()) list += ", ";
    list += quote_identifier(name);
  }
  return list;
}

// ON CONFLICT for the table's mode: keep the row, or take the new values (a NULL keeps the
// old one, so an identify naming some traits keeps the others).
std::string on_conflict(const TableRows& table, const ColumnList& columns) {
  if (table.mode == RowMode::kInsert) return " ON CONFLICT (id) DO NOTHING";
  std::string sql = " ON CONFLICT (id) DO UPDATE SET uuid_ts = EXCLUDED.uuid_ts";
  for (const auto& [name, value] : columns) {
    if (name == "id") continue;
    const std::string column = quote_identifier(name);
    sql += ", " + column + " = COALESCE(EXCLUDED." + column + ", t." + column + ")";
  }
  if (table.mode == RowMode::kLatest) {
    sql += " WHERE t.\"timestamp\" IS NULL OR EXCLUDED.\"timestamp\" >= t.\"timestamp\"";
  }
  return sql;
}

}  // namespace

void append_copy_text(std::string& out, std::string_view text) {
  // Most values hold none of the characters to escape: copy runs between them whole.
  static constexpr std::string_view kSpecial("\\\t\n\r\0", 5);
  while (!text.empty()) {
    const std::size_t special = text.find_first_of(kSpecial);
    out.append(text.substr(0, special));
    if (special == std::string_view::npos) return;
    switch (text[special]) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:  // NUL: PostgreSQL's text cannot hold it
        break;
    }
    text.remove_prefix(special + 1);
  }
}

WarehouseLoader::WarehouseLoader(std::string dsn, ConflictCounter on_conflict)
    : connection_(std::move(dsn)), on_conflict_(std::move(on_conflict)) {}

PgOutcome WarehouseLoader::fail(PgOutcome outcome) {
  // The transaction, the connection and what was learnt of the catalog cannot be trusted now.
  connection_.disconnect();
  catalog_.forget();
  return outcome;
}

PgOutcome WarehouseLoader::load(const std::vector<TableRows>& tables) {
  if (PgOutcome connected = connection_.connect(); !connected.ok) return fail(connected);
  // Tables and columns first, each in its own statement: DDL that loses a race to another
  // loader must not abort the load's transaction.
  std::vector<const TableCatalog::Columns*> known(tables.size(), nullptr);
  std::vector<ColumnList> columns;
  columns.reserve(tables.size());
  for (std::size_t i = 0; i < tables.size(); ++i) {
    columns.push_back(union_of_columns(tables[i].rows));
    PgOutcome prepared =
        catalog_.prepare(connection_, tables[i].schema, tables[i].table, columns[i], known[i]);
    if (!prepared.ok) return fail(prepared);
  }
  if (PgOutcome begun = connection_.execute("BEGIN"); !begun.ok) return fail(begun);
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (PgOutcome loaded = load_table(tables[i], columns[i], *known[i], i); !loaded.ok) {
      return fail(loaded);
    }
  }
  if (PgOutcome committed = connection_.execute("COMMIT"); !committed.ok) return fail(committed);
  return PgOutcome::success();
}

PgOutcome WarehouseLoader::load_table(const TableRows& table, const ColumnList& columns,
                                      const TableCatalog::Columns& known, std::size_t index) {
  const std::string target = quote_identifier(table.schema) + "." + quote_identifier(table.table);
  const std::string stage = "sluice_stage_" + std::to_string(index);
  const std::string qualified_name = table.schema + "." + table.table;
  const std::string list = column_list(columns);

  std::vector<Row> merged;
  std::vector<const Row*> rows;
  if (table.mode == RowMode::kInsert) {
    for (const Row& row : table.rows) rows.push_back(&row);
  } else {
    merged = merged_by_id(table);
    for (const Row& row : merged) rows.push_back(&row);
  }
  // Each column's place in a line and the type it has in the table, found once per batch.
  std::map<std::string_view, std::size_t, std::less<>> place;
  std::vector<std::optional<ColumnType>> column_types;
  for (const auto& [name, first] : columns) {
    place.emplace(name, place.size());
    const auto found = known.find(name);
    column_types.push_back(found == known.end() ? std::nullopt
                                                : std::optional<ColumnType>(found->second));
  }
  std::string data;
  data.reserve(rows.size() * columns.size() * 16);
  std::vector<const ColumnValue*> cells(columns.size());
  for (const Row* row : rows) {
    std::fill(cells.begin(), cells.end(), nullptr);
    // Rows of one table mostly list their columns in the same order: try the next place first.
    std::size_t next = 0;
    for (const Column& column : row->columns) {
      const std::size_t at = next < columns.size() && columns[next].first == column.name
                                 ? next
                                 : place.find(column.name)->second;
      cells[at] = &column.value;
      next = at + 1;
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) data += '\t';
      const ColumnValue* value = cells[i];
      if (value == nullptr || value->null || !column_types[i]) {
        data += "\\N";
      } else if (!fits(*column_types[i], *value)) {
        on_conflict_(qualified_name, columns[i].first);
        data += "\\N";
      } else {
        append_copy_text(data, value->text);
      }
    }
    data += '\n';
  }

  if (table.mode == RowMode::kInsert) {
    // Events are almost always new: COPY them straight in, which is as fast as loading gets.
    // A batch holding a row that is there already (a redelivery, a replay) fails on the
    // primary key and takes the staging path instead, which skips such rows.
    PgOutcome outcome = connection_.execute("SAVEPOINT sluice_direct");
    if (!outcome.ok) return outcome;
    outcome = connection_.copy_in("COPY " + target + " (" + list + ") FROM STDIN", data);
    if (outcome.ok) return connection_.execute("RELEASE SAVEPOINT sluice_direct");
    if (outcome.sqlstate != kUniqueViolation) return outcome;
    outcome = connection_.execute("ROLLBACK TO SAVEPOINT sluice_direct");
    if (!outcome.ok) return outcome;
  }
  PgOutcome outcome = connection_.execute("CREATE TEMP TABLE " + stage + " (LIKE " + target +
                                          " INCLUDING DEFAULTS) ON COMMIT DROP");
  if (!outcome.ok) return outcome;
  outcome = connection_.copy_in("COPY " + stage + " (" + list + ") FROM STDIN", data);
  if (!outcome.ok) return outcome;
  return connection_.execute("INSERT INTO " + target + " AS t (" + list + ", uuid_ts) SELECT " +
                             list + ", uuid_ts FROM " + stage + on_conflict(table, columns));
}

}  // namespace sluice::warehouse
