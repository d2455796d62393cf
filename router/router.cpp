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
    Result<std::shared_ptr<DeliveryLoop>> loop = router->build(config);
    if (!loop.is_ok()) return loop.status();
    MutexLock lock(router->mutex_);
    router->loops_.push_back(std::move(loop).value());
  }
  return router;
}

Result<std::shared_ptr<DeliveryLoop>> Router::build(const config::DestinationConfig& config) {
  std::vector<std::unique_ptr<Destination>> instances;
  for (std::size_t lane = 0; lane < lane_count(config); ++lane) {
    Result<std::unique_ptr<Destination>> destination = make_destination(config);
    if (!destination.is_ok()) return destination.status();
    instances.push_back(std::move(destination).value());
  }
  return std::make_shared<DeliveryLoop>(config, log_, std::move(instances),
                                        metrics_.destination(config.name));
}

void Router::add(const config::DestinationConfig& config,
                 std::vector<std::unique_ptr<Destination>> destinations, LoopTiming timing) {
  MutexLock lock(mutex_);
  loops_.push_back(std::make_shared<DeliveryLoop>(config, log_, std::move(destinations),
                                                  metrics_.destination(config.name), timing));
}

void Router::add(const config::DestinationConfig& config, std::unique_ptr<Destination> destination,
                 LoopTiming timing) {
  MutexLock lock(mutex_);
  loops_.push_back(std::make_shared<DeliveryLoop>(config, log_, std::move(destination),
                                                  metrics_.destination(config.name), timing));
}

void Router::start() {
  std::vector<std::shared_ptr<DeliveryLoop>> all;
  {
    MutexLock lock(mutex_);
    started_ = true;
    all = loops_;
  }
  for (const auto& loop : all) {
    loop->start();
    spdlog::info("destination {}: delivering", loop->name());
  }
}

void Router::stop() {
  const std::vector<std::shared_ptr<DeliveryLoop>> all = loops();
  for (const auto& loop : all) loop->request_stop();
  for (const auto& loop : all) loop->join();
}

Result<Router::Changes> Router::reconfigure(const std::vector<config::DestinationConfig>& next) {
  const std::vector<std::shared_ptr<DeliveryLoop>> current = loops();
  const auto current_of = [&current](std::string_view name) -> const DeliveryLoop* {
    for (const auto& loop : current) {
      if (loop->name() == name) return loop.get();
    }
    return nullptr;
  };
  // Built before anything stops: a destination that cannot be built changes nothing.
  Changes changes;
  std::vector<std::shared_ptr<DeliveryLoop>> in_force;
  std::vector<std::shared_ptr<DeliveryLoop>> to_start;
  for (const config::DestinationConfig& config : next) {
    const DeliveryLoop* existing = current_of(config.name);
    if (existing != nullptr && existing->config() == config) {
      for (const auto& loop : current) {
        if (loop.get() == existing) in_force.push_back(loop);
      }
      continue;
    }
    Result<std::shared_ptr<DeliveryLoop>> loop = build(config);
    if (!loop.is_ok()) return loop.status().with_context("destination " + config.name);
    (existing != nullptr ? changes.restarted : changes.added).push_back(config.name);
    in_force.push_back(*loop);
    to_start.push_back(std::move(loop).value());
  }
  std::vector<std::shared_ptr<DeliveryLoop>> to_stop;
  for (const auto& loop : current) {
    if (std::find(in_force.begin(), in_force.end(), loop) != in_force.end()) continue;
    to_stop.push_back(loop);
    const bool kept = std::any_of(next.begin(), next.end(), [&loop](const auto& config) {
      return config.name == loop->name();
    });
    if (!kept) changes.removed.push_back(loop->name());
  }
  bool started = false;
  {
    MutexLock lock(mutex_);
    loops_ = std::move(in_force);
    started = started_;
  }
  // A changed destination's new loop reads the cursor the old one saves as it stops.
  for (const auto& loop : to_stop) loop->request_stop();
  for (const auto& loop : to_stop) {
    loop->join();
    spdlog::info("destination {}: stopped by a reload; its cursor is kept", loop->name());
  }
  if (!started) return changes;  // start() starts them with the others
  for (const auto& loop : to_start) {
    loop->start();
    spdlog::info("destination {}: delivering", loop->name());
  }
  return changes;
}

std::size_t Router::size() const {
  MutexLock lock(mutex_);
  return loops_.size();
}

std::vector<std::shared_ptr<DeliveryLoop>> Router::loops() const {
  MutexLock lock(mutex_);
  return loops_;
}

std::vector<std::string> Router::names() const {
  std::vector<std::string> names;
  for (const auto& loop : loops()) names.push_back(loop->name());
  return names;
}

Result<std::shared_ptr<DeliveryLoop>> Router::find(std::string_view name) const {
  MutexLock lock(mutex_);
  const auto loop = std::find_if(loops_.begin(), loops_.end(),
                                 [&](const auto& candidate) { return candidate->name() == name; });
  if (loop == loops_.end()) {
    return Status::not_found("there is no destination \"" + std::string(name) + "\"");
  }
  return *loop;
}

std::vector<DestinationStatus> Router::destinations() const {
  std::vector<DestinationStatus> statuses;
  for (const auto& loop : loops()) statuses.push_back(loop->status());
  return statuses;
}

Result<DestinationStatus> Router::destination(std::string_view name) const {
  const Result<std::shared_ptr<DeliveryLoop>> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  return (*loop)->status();
}

Status Router::pause(std::string_view name) {
  const Result<std::shared_ptr<DeliveryLoop>> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  (*loop)->pause();
  return Status::ok();
}

Status Router::resume(std::string_view name) {
  const Result<std::shared_ptr<DeliveryLoop>> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  (*loop)->resume();
  return Status::ok();
}

Result<std::uint64_t> Router::replay(std::string_view name, const ReplayFrom& from) {
  const Result<std::shared_ptr<DeliveryLoop>> loop = find(name);
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
  if (const Result<std::shared_ptr<DeliveryLoop>> loop = find(name); !loop.is_ok())
    return loop.status();
  return log_.delivery_state().dead_letters(name);
}

Result<storage::DeadLetter> Router::dead_letter(std::string_view name, std::uint64_t id) const {
  if (const Result<std::shared_ptr<DeliveryLoop>> loop = find(name); !loop.is_ok())
    return loop.status();
  return log_.delivery_state().dead_letter(name, id);
}

Status Router::redeliver(std::string_view name, std::uint64_t id) {
  const Result<std::shared_ptr<DeliveryLoop>> loop = find(name);
  if (!loop.is_ok()) return loop.status();
  // Refused at once when there is no such dead letter, rather than dropped later by the loop.
  if (const Result<storage::DeadLetter> letter = dead_letter(name, id); !letter.is_ok()) {
    return letter.status();
  }
  (*loop)->redeliver(id);
  return Status::ok();
}

}  // namespace sluice::router
