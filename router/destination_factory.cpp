#include "router/destination_factory.hpp"

#include <algorithm>
#include <variant>

#include "router/destinations/file_destination.hpp"
#include "router/destinations/kafka_destination.hpp"
#include "router/destinations/postgres_destination.hpp"
#include "router/destinations/webhook_destination.hpp"

namespace sluice::router {
namespace {

// A Result of some Destination, as a Result of the interface.
template <typename Kind>
Result<std::unique_ptr<Destination>> as_destination(Result<std::unique_ptr<Kind>> made) {
  if (!made.is_ok()) return made.status();
  return std::unique_ptr<Destination>(std::move(made).value());
}

Result<std::unique_ptr<Destination>> make_any(const config::DestinationConfig& config,
                                              RouterMetrics* metrics) {
  if (const auto* webhook = std::get_if<config::WebhookDestinationConfig>(&config.settings)) {
    return as_destination(WebhookDestination::create(*webhook));
  }
  if (const auto* postgres = std::get_if<config::PostgresDestinationConfig>(&config.settings)) {
    PostgresDestination::ConflictCounter conflicts;
    if (metrics != nullptr) {
      conflicts = [metrics, name = config.name](const std::string& table,
                                                const std::string& column) {
        metrics->warehouse_type_conflict(name, table, column);
      };
    }
    return as_destination(PostgresDestination::open(*postgres, std::move(conflicts)));
  }
  if (const auto* kafka = std::get_if<config::KafkaDestinationConfig>(&config.settings)) {
    return as_destination(KafkaDestination::open(config.name, *kafka));
  }
  return as_destination(
      FileDestination::open(std::get<config::FileDestinationConfig>(config.settings)));
}

}  // namespace

std::size_t lane_count(const config::DestinationConfig& config) {
  if (config.type() != config::DestinationType::kWebhook &&
      config.type() != config::DestinationType::kPostgres) {
    return 1;
  }
  return std::max(config.max_in_flight, 1u);
}

Result<std::unique_ptr<Destination>> make_destination(const config::DestinationConfig& config,
                                                      RouterMetrics* metrics) {
  Result<std::unique_ptr<Destination>> destination = make_any(config, metrics);
  if (!destination.is_ok()) {
    return destination.status().with_context("destination \"" + config.name + "\"");
  }
  return destination;
}

}  // namespace sluice::router
