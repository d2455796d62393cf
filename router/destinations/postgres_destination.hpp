#pragma once

// [destinations.postgres]: events loaded into a PostgreSQL warehouse in Segment's schema
// (docs/warehouse.md). Each batch becomes the rows of its events (warehouse/rows.hpp), loaded
// in one transaction (warehouse/warehouse_loader.hpp); the batch is acknowledged only after
// the transaction committed. Each of a destination's max_in_flight lanes has its own instance
// and connection: one lane builds a batch's rows while another's batch loads. PostgreSQL down,
// restarting or refusing connections is retried like any destination; an error that will not heal
// (a permission, an SQL error) dead-letters the batch with the server's message.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "config/config.hpp"
#include "router/destination.hpp"
#include "warehouse/warehouse_loader.hpp"

namespace sluice::router {

class PostgresDestination : public Destination {
 public:
  using ConflictCounter = warehouse::WarehouseLoader::ConflictCounter;

  // Connects lazily: a warehouse that is down when Sluice starts delays delivery, not start-up.
  static Result<std::unique_ptr<PostgresDestination>> open(
      const config::PostgresDestinationConfig& config, ConflictCounter on_conflict);

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override;

 private:
  PostgresDestination(const config::PostgresDestinationConfig& config, ConflictCounter on_conflict);

  // The rows of events, by table, arranged to load.
  std::vector<warehouse::TableRows> tables_of(std::span<const OutgoingEvent> events);

  // The schema of a source's rows (snake_case of its name, or the shared one), by source.
  const std::string& schema_of(std::string_view source);

  bool schema_per_source_;
  std::map<std::string, std::string, std::less<>> schemas_;
  warehouse::WarehouseLoader loader_;
};

}  // namespace sluice::router
