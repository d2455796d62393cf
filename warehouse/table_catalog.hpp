#pragma once

// The tables of the warehouse as this loader knows them: each table's columns and their types,
// read from PostgreSQL's catalog the first time a table is used and kept, so that a batch asks
// the catalog nothing unless it brings a table or a column that is new. Tables and columns are
// made with IF NOT EXISTS; when another loader (a second Sluice node) made the same one first,
// the catalog is read again and its choice of type stands.

#include <map>
#include <string>
#include <vector>

#include "warehouse/pg_connection.hpp"
#include "warehouse/rows.hpp"

namespace sluice::warehouse {

// Columns by name, each with a value that stands for them (the first non-null one seen).
using ColumnList = std::vector<std::pair<std::string, ColumnValue>>;

// A column's type as the catalog names it ("double precision", "timestamp with time zone"),
// as the closest ColumnType; types this loader does not make read as kText.
ColumnType column_type_of(std::string_view catalog_type);

// Whether a value of type value can be stored in a column of type column; when not, it is
// stored as NULL and counted as a type conflict. A NULL fits anything.
bool fits(ColumnType column, const ColumnValue& value);

class TableCatalog {
 public:
  using Columns = std::map<std::string, ColumnType, std::less<>>;

  // Makes sure schema.table exists with every column of columns (a new column takes the type
  // of the first non-null value given for it, text when all are null). The table's columns as
  // they are afterwards go into known.
  PgOutcome prepare(PgConnection& connection, const std::string& schema, const std::string& table,
                    const ColumnList& columns, const Columns*& known);

  // Forgets everything: after a failed load, the catalog may have changed under us.
  void forget() { tables_.clear(); }

 private:
  PgOutcome read(PgConnection& connection, const std::string& schema, const std::string& table,
                 Columns& out);
  PgOutcome create_table(PgConnection& connection, const std::string& schema,
                         const std::string& table);

  std::map<std::string, Columns, std::less<>> tables_;  // by "schema.table"
};

}  // namespace sluice::warehouse
