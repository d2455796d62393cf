#include "router/destination_factory.hpp"

#include <algorithm>
#include <variant>

#include "router/destinations/file_destination.hpp"
#include "router/destinations/kafka_destination.hpp"

namespace sluice::router {

std::optional<std::string> unsupported_destination(const config::DestinationConfig& destination) {
  if (destination.type() != config::DestinationType::kWebhook) return std::nullopt;
  return "destination \"" + destination.name + "\": type \"" +
         std::string(config::to_string(destination.type())) +
         "\" is not built in this version of sluice (only \"file\" and \"kafka\" destinations "
         "are); remove it to start the server";
}

std::size_t lane_count(const config::DestinationConfig& config) {
  if (config.type() != config::DestinationType::kWebhook) return 1;
  return std::max(config.max_in_flight, 1u);
}

std::unique_ptr<Destination> make_destination(const config::DestinationConfig& config,
                                              std::string* error) {
  if (auto reason = unsupported_destination(config)) {
    *error = *reason;
    return nullptr;
  }
  std::string why;
  std::unique_ptr<Destination> destination;
  if (const auto* file = std::get_if<config::FileDestinationConfig>(&config.settings)) {
    destination = FileDestination::open(*file, &why);
  } else {
    const auto& kafka = std::get<config::KafkaDestinationConfig>(config.settings);
    destination = KafkaDestination::open(config.name, kafka, &why);
  }
  if (!destination) *error = "destination \"" + config.name + "\": " + why;
  return destination;
}

}  // namespace sluice::router
