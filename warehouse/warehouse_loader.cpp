#include "warehouse/warehouse_loader.hpp"

#include <algorithm>
#include <map>

#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

// The columns of a table's rows, in the order first seen, each with its first non-null value
// (whose type a new column takes).
std::vector<std::pair<std::string, ColumnValue>> union_of_columns(const std::vector<Row>& rows) {
  std::vector<std::pair<std::string, ColumnValue>> columns;
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

std::string column_list(const std::vector<std::pair<std::string, ColumnValue>>& columns) {
  std::string list;
  for (const auto& [name, value] : columns) {
    if (!list.empty()) list += ", ";
    list += quote_identifier(name);
  }
  return list;
}

// ON CONFLICT for the table's mode: keep the row, or take the new values (a NULL keeps the
// old one, so an identify naming some traits keeps the others).
std::string on_conflict(const TableRows& table,
                        const std::vector<std::pair<std::string, ColumnValue>>& columns) {
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
  for (const char c : text) {
    switch (c) {
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
      case '\0':
        break;
      default:
        out += c;
    }
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
  for (std::size_t i = 0; i < tables.size(); ++i) {
    PgOutcome prepared = catalog_.prepare(connection_, tables[i].schema, tables[i].table,
                                          union_of_columns(tables[i].rows), known[i]);
    if (!prepared.ok) return fail(prepared);
  }
  if (PgOutcome begun = connection_.execute("BEGIN"); !begun.ok) return fail(begun);
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (PgOutcome loaded = load_table(tables[i], *known[i], i); !loaded.ok) return fail(loaded);
  }
  if (PgOutcome committed = connection_.execute("COMMIT"); !committed.ok) return fail(committed);
  return PgOutcome::success();
}

PgOutcome WarehouseLoader::load_table(const TableRows& table, const TableCatalog::Columns& known,
                                      std::size_t index) {
  const auto columns = union_of_columns(table.rows);
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
  std::string data;
  for (const Row* row : rows) {
    bool first = true;
    for (const auto& [name, unused] : columns) {
      if (!first) data += '\t';
      first = false;
      const ColumnValue* value = value_in(*row, name);
      const auto column_type = known.find(name);
      if (value == nullptr || value->null || column_type == known.end()) {
        data += "\\N";
      } else if (!fits(column_type->second, *value)) {
        on_conflict_(qualified_name, name);
        data += "\\N";
      } else {
        append_copy_text(data, value->text);
      }
    }
    data += '\n';
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
