#include "warehouse/warehouse_loader.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>

#include "warehouse/names.hpp"

namespace sluice::warehouse {
namespace {

constexpr std::string_view kUniqueViolation = "23505";
// COPY lines are sent to PostgreSQL whenever this much is ready.
constexpr std::size_t kCopySendBytes = 256 * 1024;

// The columns of a table's rows, in the order first seen, each with its first non-null value
// (whose type a new column takes).
ColumnList union_of_columns(const std::vector<Row>& rows) {
  ColumnList columns;
  std::map<std::string, std::size_t, std::less<>> position;
  for (const Row& row : rows) {
    // Rows of one table mostly list their columns in the same order: try the next place first.
    std::size_t next = 0;
    for (const Column& column : row.columns) {
      std::size_t at = next;
      if (at >= columns.size() || columns[at].first != column.name) {
        const auto [found, added] = position.emplace(column.name, columns.size());
        if (added) columns.emplace_back(column.name, column.value);
        at = found->second;
      }
      if (columns[at].second.null && !column.value.null) columns[at].second = column.value;
      next = at + 1;
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

// A table's rows as lines of COPY's text format, each value fitted to the type its column has
// in the table: one that does not fit is written as NULL and reported to the conflict counter,
// one whose column the table lacks as NULL.
class CopyLines {
 public:
  CopyLines(const TableRows& table, const TableCatalog::Columns& known,
            const WarehouseLoader::ConflictCounter& on_conflict)
      : columns_(table.columns),
        qualified_name_(table.schema + "." + table.table),
        on_conflict_(on_conflict),
        cells_(columns_.size()) {
    for (const auto& [name, first] : columns_) {
      place_.emplace(name, place_.size());
      const auto found = known.find(name);
      column_types_.push_back(found == known.end() ? std::nullopt
                                                   : std::optional<ColumnType>(found->second));
    }
  }

  void append(const Row& row, std::string& out) {
    std::fill(cells_.begin(), cells_.end(), nullptr);
    // Rows of one table mostly list their columns in the same order: try the next place first.
    std::size_t next = 0;
    for (const Column& column : row.columns) {
      const std::size_t at = next < columns_.size() && columns_[next].first == column.name
                                 ? next
                                 : place_.find(column.name)->second;
      cells_[at] = &column.value;
      next = at + 1;
    }
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      if (i > 0) out += '\t';
      const ColumnValue* value = cells_[i];
      if (value == nullptr || value->null || !column_types_[i]) {
        out += "\\N";
      } else if (!fits(*column_types_[i], *value)) {
        on_conflict_(qualified_name_, columns_[i].first);
        out += "\\N";
      } else {
        append_copy_text(out, value->text);
      }
    }
    out += '\n';
  }

 private:
  const ColumnList& columns_;
  std::string qualified_name_;
  const WarehouseLoader::ConflictCounter& on_conflict_;
  // Each column's place in a line and the type it has in the table, found once per table.
  std::map<std::string_view, std::size_t, std::less<>> place_;
  std::vector<std::optional<ColumnType>> column_types_;
  std::vector<const ColumnValue*> cells_;
};

std::string column_list(const ColumnList& columns) {
  std::string list;
  for (const auto& [name, value] : columns) {
    if (!list.empty()) list += ", ";
    list += quote_identifier(name);
  }
  return list;
}

// ON CONFLICT for the table's mode: keep the row, or take the new values (a NULL keeps the
// old one, so an identify naming some traits keeps the others) unless the row is newer: a
// user's by timestamp (the newest identify wins), an object's by received_at.
std::string on_conflict(const TableRows& table, const ColumnList& columns) {
  if (table.mode == RowMode::kInsert) return " ON CONFLICT (id) DO NOTHING";
  std::string sql = " ON CONFLICT (id) DO UPDATE SET uuid_ts = EXCLUDED.uuid_ts";
  for (const auto& [name, value] : columns) {
    if (name == "id") continue;
    const std::string column = quote_identifier(name);
    sql.append(", ").append(column).append(" = COALESCE(EXCLUDED.").append(column);
    sql.append(", t.").append(column).append(")");
  }
  // Lanes may commit batches out of order: a version older than the row's changes nothing.
  const std::string_view order = table.mode == RowMode::kLatest ? "\"timestamp\"" : "received_at";
  sql.append(" WHERE t.").append(order).append(" IS NULL OR EXCLUDED.").append(order);
  sql.append(" >= t.").append(order);
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

void arrange(TableRows& table) {
  if (table.mode != RowMode::kInsert) table.rows = merged_by_id(table);
  table.columns = union_of_columns(table.rows);
}

PgOutcome WarehouseLoader::load(const std::vector<TableRows>& tables) {
  if (PgOutcome connected = connection_.connect(); !connected.ok) return fail(connected);
  // Tables and columns first, each in its own statement: DDL that loses a race to another
  // loader must not abort the load's transaction.
  std::vector<const TableCatalog::Columns*> known(tables.size(), nullptr);
  for (std::size_t i = 0; i < tables.size(); ++i) {
    PgOutcome prepared = catalog_.prepare(connection_, tables[i].schema, tables[i].table,
                                          tables[i].columns, known[i]);
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
  const std::string target = quote_identifier(table.schema) + "." + quote_identifier(table.table);
  const std::string list = column_list(table.columns);
  CopyLines lines(table, known, on_conflict_);
  std::string data;
  data.reserve(table.rows.size() * table.columns.size() * 16);

  if (table.mode == RowMode::kInsert) {
    // Events are almost always new: COPY them straight in, which is as fast as loading gets,
    // sending the lines as they are made so that PostgreSQL reads while Sluice writes. A
    // batch holding a row that is there already (a redelivery, a replay) fails on the primary
    // key and takes the staging path instead, which skips such rows.
    PgOutcome outcome = connection_.execute("SAVEPOINT sluice_direct");
    if (outcome.ok)
      outcome = connection_.copy_start("COPY " + target + " (" + list + ") FROM STDIN");
    std::size_t sent = 0;
    for (const Row& row : table.rows) {
      lines.append(row, data);
      if (outcome.ok && data.size() - sent >= kCopySendBytes) {
        outcome = connection_.copy_send(std::string_view(data).substr(sent));
        sent = data.size();
      }
    }
    if (outcome.ok) outcome = connection_.copy_send(std::string_view(data).substr(sent));
    if (!outcome.ok) return outcome;
    outcome = connection_.copy_end();
    if (outcome.ok) return connection_.execute("RELEASE SAVEPOINT sluice_direct");
    if (outcome.sqlstate != kUniqueViolation) return outcome;
    outcome = connection_.execute("ROLLBACK TO SAVEPOINT sluice_direct");
    if (!outcome.ok) return outcome;
  } else {
    for (const Row& row : table.rows) lines.append(row, data);
  }
  const std::string stage = "sluice_stage_" + std::to_string(index);
  PgOutcome outcome = connection_.execute("CREATE TEMP TABLE " + stage + " (LIKE " + target +
                                          " INCLUDING DEFAULTS) ON COMMIT DROP");
  if (!outcome.ok) return outcome;
  outcome = connection_.copy_in("COPY " + stage + " (" + list + ") FROM STDIN", data);
  if (!outcome.ok) return outcome;
  // In id order: every transaction that upserts a table locks its rows in the same order, so
  // two lanes loading at once wait for each other rather than deadlock.
  return connection_.execute("INSERT INTO " + target + " AS t (" + list + ", uuid_ts) SELECT " +
                             list + ", uuid_ts FROM " + stage + " ORDER BY id" +
                             on_conflict(table, table.columns));
}

}  // namespace sluice::warehouse
