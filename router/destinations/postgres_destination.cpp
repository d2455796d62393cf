#include "router/destinations/postgres_destination.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "warehouse/names.hpp"
#include "warehouse/rows.hpp"

namespace sluice::router {
namespace {

// The schema every source shares without schema_per_source.
constexpr std::string_view kSharedSchema = "sluice";

}  // namespace

Result<std::unique_ptr<PostgresDestination>> PostgresDestination::open(
    const config::PostgresDestinationConfig& config, ConflictCounter on_conflict) {
  if (!on_conflict) on_conflict = [](const std::string&, const std::string&) {};
  return std::unique_ptr<PostgresDestination>(
      new PostgresDestination(config, std::move(on_conflict)));
}

PostgresDestination::PostgresDestination(const config::PostgresDestinationConfig& config,
                                         ConflictCounter on_conflict)
    : schema_per_source_(config.schema_per_source), loader_(config.dsn, std::move(on_conflict)) {}

DeliveryResult PostgresDestination::deliver(std::span<const OutgoingEvent> events) {
  const std::vector<warehouse::TableRows> tables = tables_of(events);
  if (tables.empty()) return DeliveryResult::ok();
  const warehouse::PgOutcome loaded = loader_.load(tables);
  if (loaded.ok) return DeliveryResult::ok();
  std::string detail =
      loaded.sqlstate.empty() ? loaded.message : loaded.sqlstate + " " + loaded.message;
  if (loaded.transient()) return DeliveryResult::retry("postgres_unavailable", std::move(detail));
  return DeliveryResult::permanent("postgres_error", std::move(detail));
}

std::vector<warehouse::TableRows> PostgresDestination::tables_of(
    std::span<const OutgoingEvent> events) {
  std::vector<warehouse::TableRows> tables;
  // By schema, then table: a batch has few of either, and most events of a batch go to the
  // tables the one before went to.
  std::unordered_map<std::string, std::unordered_map<std::string, std::size_t>> table_index;
  for (const OutgoingEvent& event : events) {
    const std::string& schema = schema_of(event.record.source);
    auto& schema_tables = table_index[schema];
    for (warehouse::Row& row : warehouse::rows_of(event.record)) {
      const auto [at, added] = schema_tables.try_emplace(row.table, tables.size());
      if (added) tables.push_back(warehouse::TableRows{schema, row.table, row.mode, {}, {}});
      tables[at->second].rows.push_back(std::move(row));
    }
  }
  for (warehouse::TableRows& table : tables) warehouse::arrange(table);
  // Every lane's transactions take the locks of the rows they upsert in the same order (tables
  // by name here, rows by id in the loader), so that two lanes do not deadlock each other.
  std::sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    return std::tie(a.schema, a.table) < std::tie(b.schema, b.table);
  });
  return tables;
}

const std::string& PostgresDestination::schema_of(std::string_view source) {
  const auto found = schemas_.find(source);
  if (found != schemas_.end()) return found->second;
  std::string schema =
      schema_per_source_ ? warehouse::snake_case(source) : std::string(kSharedSchema);
  return schemas_.emplace(std::string(source), std::move(schema)).first->second;
}

}  // namespace sluice::router
