#include "router/router.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "router/destination_factory.hpp"
#include "router/filter.hpp"
#include "storage/sequence_search.hpp"

namespace sluice::router {

Router::~Router() {
  stop();
}

Result<std::unique_ptr<Router>> Router::create(
    const std::vector<config::DestinationConfig>& destinations, storage::EventLog& log,
    RouterMetrics& metrics) {
  auto router = std::make_unique<Router>(log, metrics);
  Result<Plan> plan = router->plan(destinations);
  if (!plan.is_ok()) return plan.status();
  (void)router->apply(std::move(plan).value());  // not started: nothing runs yet
  return router;
}

Result<std::shared_ptr<DeliveryLoop>> Router::build(const config::DestinationConfig& config) const {
  std::vector<std::unique_ptr<Destination>> instances;
  for (std::size_t lane = 0; lane < lane_count(config); ++lane) {
    Result<std::unique_ptr<Destination>> destination = make_destination(config, &metrics_);
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
  MutexLock lifecycle(lifecycle_mutex_);
  if (started_) return;
  started_ = true;
  for (const auto& loop : loops()) {
    loop->start();
    spdlog::info("destination {}: delivering", loop->name());
  }
}

void Router::stop() {
  MutexLock lifecycle(lifecycle_mutex_);
  const std::vector<std::shared_ptr<DeliveryLoop>> all = loops();
  for (const auto& loop : all) loop->request_stop();
  for (const auto& loop : all) loop->join();
}

Result<Router::Plan> Router::plan(const std::vector<config::DestinationConfig>& next) const {
  const std::vector<std::shared_ptr<DeliveryLoop>> current = loops();
  const auto current_of = [&current](std::string_view name) -> std::shared_ptr<DeliveryLoop> {
    for (const auto& loop : current) {
      if (loop->name() == name) return loop;
    }
    return nullptr;
  };
  Plan plan;
  for (const config::DestinationConfig& config : next) {
    std::shared_ptr<DeliveryLoop> existing = current_of(config.name);
    if (existing != nullptr && existing->config() == config) {
      plan.in_force.push_back(std::move(existing));
      continue;
    }
    Result<std::shared_ptr<DeliveryLoop>> loop = build(config);
    if (!loop.is_ok()) return loop.status().with_context("destination " + config.name);
    (existing != nullptr ? plan.changes.restarted : plan.changes.added).push_back(config.name);
    plan.in_force.push_back(*loop);
    plan.to_start.push_back(std::move(loop).value());
  }
  for (const auto& loop : current) {
    if (std::find(plan.in_force.begin(), plan.in_force.end(), loop) != plan.in_force.end()) {
      continue;
    }
    plan.to_stop.push_back(loop);
    const bool kept = std::any_of(next.begin(), next.end(), [&loop](const auto& config) {
      return config.name == loop->name();
    });
    if (!kept) plan.changes.removed.push_back(loop->name());
  }
  return plan;
}

Router::Changes Router::apply(Plan plan) {
  MutexLock lifecycle(lifecycle_mutex_);
  {
    MutexLock lock(mutex_);
    loops_ = std::move(plan.in_force);
  }
  // A changed destination's new loop reads the cursor the old one saves as it stops, and
  // keeps an operator's pause.
  for (const auto& loop : plan.to_stop) loop->request_stop();
  for (const auto& old : plan.to_stop) {
    old->join();
    const bool removed = std::find(plan.changes.removed.begin(), plan.changes.removed.end(),
                                   old->name()) != plan.changes.removed.end();
    if (removed) {
      metrics_.forget(old->name());
      spdlog::info("destination {}: removed by a reload; its cursor is kept", old->name());
      continue;
    }
    if (!old->paused()) continue;
    for (const auto& loop : plan.to_start) {
      if (loop->name() == old->name()) loop->pause();
    }
  }
  if (!started_) return plan.changes;  // start() starts them with the others
  for (const auto& loop : plan.to_start) {
    loop->start();
    spdlog::info("destination {}: delivering", loop->name());
  }
  return plan.changes;
}

Result<Router::Changes> Router::reconfigure(const std::vector<config::DestinationConfig>& next) {
  Result<Plan> made = plan(next);
  if (!made.is_ok()) return made.status();
  return apply(std::move(made).value());
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

Result<std::vector<EventDelivery>> Router::event_delivery(std::uint64_t sequence,
                                                          const storage::Record& record) const {
  std::vector<EventDelivery> states;
  for (const auto& loop : loops()) {
    EventDelivery& delivery = states.emplace_back();
    delivery.destination = loop->name();
    // A filter of its own: the loop's is its thread's.
    if (Filter filter(loop->config()); !filter.matches(record)) {
      delivery.state = EventDelivery::State::kFiltered;
      continue;
    }
    Result<std::vector<storage::DeadLetter>> letters = dead_letters(loop->name());
    if (!letters.is_ok()) return letters.status();
    for (storage::DeadLetter& letter : *letters) {
      if (letter.first_sequence <= sequence && sequence <= letter.last_sequence) {
        delivery.state = EventDelivery::State::kDeadLettered;
        delivery.dead_letter = std::move(letter);
        break;
      }
    }
    if (delivery.dead_letter) continue;
    const DestinationStatus status = loop->status();
    if (status.cursor >= sequence) {
      delivery.state = EventDelivery::State::kDelivered;
    } else {
      delivery.state = EventDelivery::State::kPending;
      delivery.ahead = sequence - status.cursor - 1;
    }
  }
  return states;
}

}  // namespace sluice::router
