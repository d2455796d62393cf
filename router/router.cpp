#include "router/router.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "router/destination_factory.hpp"
#include "storage/sequence_search.hpp"

namespace sluice::router {

Router::~Router() {
  stop();
}

Result<std::unique_ptr<Router>> Router::create(
    const std::vector<config::DestinationConfig>& destinations, storage::EventLog& log,
    RouterMetrics& metrics) {
  auto router = std::make_unique<Router>(log, metrics);
  for (const config::DestinationConfig& config : destinations) {
    std::vector<std::unique_ptr<Destination>> instances;
    for (std::size_t lane = 0; lane < lane_count(config); ++lane) {
      Result<std::unique_ptr<Destination>> destination = make_destination(config);
      if (!destination.is_ok()) return destination.status();
      instances.push_back(std::move(destination).value());
    }
    router->add(config, std::move(instances));
  }
  return router;
}

void Router::add(const config::DestinationConfig& config,
                 std::vector<std::unique_ptr<Destination>> destinations, LoopTiming timing) {
  loops_.push_back(std::make_unique<DeliveryLoop>(config, log_, std::move(destinations),
                                                  metrics_.destination(config.name), timing));
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

std::vector<std::string> Router::names() const {
  std::vector<std::string> names;
  for (const auto& loop : loops_) names.push_back(loop->name());
  return names;
}

Result<DeliveryLoop*> Router::find(std::string_view name) const {
  const auto loop = std::find_if(loops_.begin(), loops_.end(),
                                 [&](const auto& candidate) { return candidate->name() == name; });
  if (loop == loops_.end()) {
    return Status::not_found("there is no destination \"" + std::string(name) + "\"");
  }
  return loop->get();
}

std::vector<DestinationStatus> Router::destinations() const {
  std::vector<DestinationStatus> statuses;
  for (const auto& loop : loops_) statuses.push_back(loop->status());
  return statuses;
}

Result<DestinationStatus> Router::destination(std::string_view name) const {
  const Result<DeliveryLoop*> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  return (*loop)->status();
}

Status Router::pause(std::string_view name) {
  const Result<DeliveryLoop*> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  (*loop)->pause();
  return Status::ok();
}

Status Router::resume(std::string_view name) {
  const Result<DeliveryLoop*> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  (*loop)->resume();
  return Status::ok();
}

Result<std::uint64_t> Router::replay(std::string_view name, const ReplayFrom& from) {
  const Result<DeliveryLoop*> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  std::uint64_t first = from.sequence;
  if (from.kind == ReplayFrom::Kind::kTime) {
    const Result<std::uint64_t> found =
        storage::first_sequence_received_from(log_.records(), from.time_ms);
    if (!found.is_ok()) return found.status();
    first = *found;
  }
  const std::uint64_t last = log_.records().last_sequence();
  if (first > last + 1) {
    return Status::invalid_argument("sequence " + std::to_string(first) +
                                    " is past the end of the log (last sequence " +
                                    std::to_string(last) + ")");
  }
  const std::uint64_t cursor = first == 0 ? 0 : first - 1;
  (*loop)->replay(cursor);
  return cursor;
}

Result<std::vector<storage::DeadLetter>> Router::dead_letters(std::string_view name) const {
  if (const Result<DeliveryLoop*> loop = find(name); !loop.is_ok()) return loop.status();
  return log_.delivery_state().dead_letters(name);
}

Result<storage::DeadLetter> Router::dead_letter(std::string_view name, std::uint64_t id) const {
  if (const Result<DeliveryLoop*> loop = find(name); !loop.is_ok()) return loop.status();
  return log_.delivery_state().dead_letter(name, id);
}

Status Router::redeliver(std::string_view name, std::uint64_t id) {
  const Result<DeliveryLoop*> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  // Refused at once when there is no such dead letter, rather than dropped later by the loop.
  if (const Result<storage::DeadLetter> letter = dead_letter(name, id); !letter.is_ok()) {
    return letter.status();
  }
  (*loop)->redeliver(id);
  return Status::ok();
}

}  // namespace sluice::router
