#include "router/router.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "router/destination_factory.hpp"
#include "storage/sequence_search.hpp"

namespace sluice::router {
namespace {

ControlResult not_found(std::string_view name) {
  return {ControlResult::Kind::kNotFound, "there is no destination \"" + std::string(name) + "\""};
}

ControlResult unavailable(const std::string& error) {
  return {ControlResult::Kind::kUnavailable, error};
}

}  // namespace

Router::~Router() {
  stop();
}

std::unique_ptr<Router> Router::create(const std::vector<config::DestinationConfig>& destinations,
                                       storage::EventLog& log, RouterMetrics& metrics,
                                       std::string* error) {
  auto router = std::make_unique<Router>(log, metrics);
  for (const config::DestinationConfig& config : destinations) {
    std::vector<std::unique_ptr<Destination>> instances;
    for (std::size_t lane = 0; lane < lane_count(config); ++lane) {
      std::unique_ptr<Destination> destination = make_destination(config, error);
      if (!destination) return nullptr;
      instances.push_back(std::move(destination));
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

DeliveryLoop* Router::find(std::string_view name) const {
  const auto loop = std::find_if(loops_.begin(), loops_.end(),
                                 [&](const auto& candidate) { return candidate->name() == name; });
  return loop == loops_.end() ? nullptr : loop->get();
}

std::vector<DestinationStatus> Router::destinations() const {
  std::vector<DestinationStatus> statuses;
  for (const auto& loop : loops_) statuses.push_back(loop->status());
  return statuses;
}

std::optional<DestinationStatus> Router::destination(std::string_view name) const {
  if (DeliveryLoop* loop = find(name)) return loop->status();
  return std::nullopt;
}

ControlResult Router::pause(std::string_view name) {
  DeliveryLoop* loop = find(name);
  if (!loop) return not_found(name);
  loop->pause();
  return {};
}

ControlResult Router::resume(std::string_view name) {
  DeliveryLoop* loop = find(name);
  if (!loop) return not_found(name);
  loop->resume();
  return {};
}

ControlResult Router::replay(std::string_view name, const ReplayFrom& from, std::uint64_t* cursor) {
  DeliveryLoop* loop = find(name);
  if (!loop) return not_found(name);
  std::uint64_t first = from.sequence;
  if (from.kind == ReplayFrom::Kind::kTime) {
    const Result<std::uint64_t> found = storage::first_sequence_received_from(log_.records(), from.time_ms);
    if (!found.is_ok()) return unavailable(found.status().message());
    first = *found;
  }
  const std::uint64_t last = log_.records().last_sequence();
  if (first > last + 1) {
    return {ControlResult::Kind::kInvalid, "sequence " + std::to_string(first) +
                                               " is past the end of the log (last sequence " +
                                               std::to_string(last) + ")"};
  }
  *cursor = first == 0 ? 0 : first - 1;
  loop->replay(*cursor);
  return {};
}

ControlResult Router::dead_letters(std::string_view name,
                                   std::vector<storage::DeadLetter>* letters) const {
  if (!find(name)) return not_found(name);
  Result<std::vector<storage::DeadLetter>> found = log_.delivery_state().dead_letters(name);
  if (!found.is_ok()) return unavailable(found.status().message());
  *letters = std::move(found).value();
  return {};
}

ControlResult Router::dead_letter(std::string_view name, std::uint64_t id,
                                  storage::DeadLetter* letter) const {
  if (!find(name)) return not_found(name);
  Result<storage::DeadLetter> found = log_.delivery_state().dead_letter(name, id);
  if (!found.is_ok() && found.status().code() == StatusCode::kNotFound) {
    return {ControlResult::Kind::kNotFound, found.status().message()};
  }
  if (!found.is_ok()) return unavailable(found.status().message());
  *letter = std::move(found).value();
  return {};
}

ControlResult Router::redeliver(std::string_view name, std::uint64_t id) {
  DeliveryLoop* loop = find(name);
  if (!loop) return not_found(name);
  storage::DeadLetter letter;
  if (ControlResult result = dead_letter(name, id, &letter); !result.ok()) return result;
  loop->redeliver(id);
  return {};
}

}  // namespace sluice::router
