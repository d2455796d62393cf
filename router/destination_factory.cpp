#include "router/destination_factory.hpp"

#include <algorithm>
#include <variant>

#include "router/destinations/file_destination.hpp"
#include "router/destinations/kafka_destination.hpp"
#include "router/destinations/webhook_destination.hpp"

namespace sluice::router {

std::size_t lane_count(const config::DestinationConfig& config) {
  if (config.type() != config::DestinationType::kWebhook) return 1;
  return std::max(config.max_in_flight, 1u);
}

std::unique_ptr<Destination> make_destination(const config::DestinationConfig& config,
                                              std::string* error) {
  std::string why;
  std::unique_ptr<Destination> destination;
  if (const auto* webhook = std::get_if<config::WebhookDestinationConfig>(&config.settings)) {
    destination = WebhookDestination::create(*webhook, &why);
  } else if (const auto* kafka = std::get_if<config::KafkaDestinationConfig>(&config.settings)) {
    destination = KafkaDestination::open(config.name, *kafka, &why);
  } else {
    destination =
        FileDestination::open(std::get<config::FileDestinationConfig>(config.settings), &why);
  }
  if (!destination) *error = "destination \"" + config.name + "\": " + why;
  return destination;
}

}  // namespace sluice::router
