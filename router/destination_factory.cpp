#include "router/destination_factory.hpp"

#include <variant>

#include "router/destinations/file_destination.hpp"
#include "router/destinations/webhook_destination.hpp"

namespace sluice::router {

std::optional<std::string> unsupported_destination(const config::DestinationConfig& destination) {
  if (destination.type() == config::DestinationType::kFile ||
      destination.type() == config::DestinationType::kWebhook) {
    return std::nullopt;
  }
  return "destination \"" + destination.name + "\": type \"" +
         std::string(config::to_string(destination.type())) +
         "\" is not built in this version of sluice (only \"file\" and \"webhook\" destinations "
         "are); remove it to start the server";
}

std::unique_ptr<Destination> make_destination(const config::DestinationConfig& config,
                                              std::string* error) {
  if (auto reason = unsupported_destination(config)) {
    *error = *reason;
    return nullptr;
  }
  std::string why;
  std::unique_ptr<Destination> destination;
  if (const auto* webhook = std::get_if<config::WebhookDestinationConfig>(&config.settings)) {
    destination = WebhookDestination::create(*webhook, &why);
  } else {
    destination =
        FileDestination::open(std::get<config::FileDestinationConfig>(config.settings), &why);
  }
  if (!destination) *error = "destination \"" + config.name + "\": " + why;
  return destination;
}

}  // namespace sluice::router
