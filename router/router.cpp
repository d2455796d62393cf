#include "router/router.hpp"

#include <spdlog/spdlog.h>

#include "router/destination_factory.hpp"

namespace sluice::router {

Router::~Router() {
  stop();
}

std::unique_ptr<Router> Router::create(const std::vector<config::DestinationConfig>& destinations,
                                       storage::EventLog& log, RouterMetrics& metrics,
                                       std::string* error) {
  auto router = std::make_unique<Router>(log, metrics);
  for (const config::DestinationConfig& config : destinations) {
    std::unique_ptr<Destination> destination = make_destination(config, error);
    if (!destination) return nullptr;
    router->add(config, std::move(destination));
  }
  return router;
}

void Router::add(const config::DestinationConfig& config, std::unique_ptr<Destination> destination,
                 LoopTiming timing) {
  loops_.push_back(std::make_unique<DeliveryLoop>(config, log_, std::move(destination),
                                                  metrics_.destination(config.name), timing));
}

void Router::start() {
  for (auto& loop : loops_) {
    loop->start();
    spdlog::info("destination {}: delivering", loop->name());
  }
}

void Router::stop() {
  for (auto& loop : loops_) loop->request_stop();
  for (auto& loop : loops_) loop->join();
}

}  // namespace sluice::router
