#pragma once

// Loads a batch of rows (rows.hpp) into PostgreSQL in one transaction. Events are copied
// straight into their tables with COPY; when that meets a row that is there already (a retry
// after a crash, a replay), the table's rows are copied into a temporary staging table instead
// and inserted from there with ON CONFLICT (id) DO NOTHING, so no row is added twice. Users and
// objects are upserted instead: the newest identify's traits win, an object's columns are
// replaced by those its latest version names. The caller moves its cursor only after load()
// succeeded: then the transaction has committed.
//
// A value that does not fit its column's type (a string where the column is bigint) is stored
// as NULL and reported to the conflict counter, never failing the batch. One loader per
// delivery lane; not thread-safe.

#include <functional>
#include <string>
#include <vector>

#include "warehouse/pg_connection.hpp"
#include "warehouse/rows.hpp"
#include "warehouse/table_catalog.hpp"

namespace sluice::warehouse {

// A batch's rows for one table.
struct TableRows {
  std::string schema;
  std::string table;
  RowMode mode = RowMode::kInsert;
  std::vector<Row> rows;  // in log order
  ColumnList columns;     // set by arrange()
};

// Makes a table's rows ready to load (on any thread, while a loader loads others): the rows
// that replace by id merged into one per id (one INSERT cannot update a row twice), and the
// union of their columns in the order first seen.
void arrange(TableRows& table);

class WarehouseLoader {
 public:
  // schema.table and the column whose value did not fit.
  using ConflictCounter = std::function<void(const std::string& table, const std::string& column)>;

  WarehouseLoader(std::string dsn, ConflictCounter on_conflict);

  // All of it or nothing; every table arranged. A transient failure (transient()) leaves nothing
  // behind and may be tried again; the connection is dropped and made again on the next call.
  PgOutcome load(const std::vector<TableRows>& tables);

 private:
  PgOutcome load_table(const TableRows& table, const TableCatalog::Columns& known,
                       std::size_t index);
  PgOutcome fail(PgOutcome outcome);

  PgConnection connection_;
  TableCatalog catalog_;
  ConflictCounter on_conflict_;
};

// The text of one value in COPY's text format: backslashes, tabs and line breaks escaped,
// NUL bytes (which PostgreSQL's text cannot hold) left out.
void append_copy_text(std::string& out, std::string_view text);

}  // namespace sluice::warehouse
