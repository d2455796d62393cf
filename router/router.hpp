#pragma once

// The router: one DeliveryLoop per configured destination, started after the HTTP server
// starts and stopped after it stops, before the event log closes (server/main.cpp). The loops
// are independent: a destination that keeps failing delays only itself. It is also what
// operators act on through the admin API (RouterControl).
//
// A config reload changes the destinations while the others deliver on (reconfigure()): an
// added one starts from its saved cursor (0 for a name never seen: the whole log that is kept),
// a removed one stops with its cursor saved, and a changed one stops and starts again from the
// cursor it saved. Its dead letters stay with its name.
//
// Threading: add() before start(), from the owning thread; start(), stop(), plan(), apply() and
// the RouterControl methods from any thread (start, stop and apply are serialized).
// The EventLog and RouterMetrics must outlive the Router.

#include <memory>
#include <string>
#include <vector>

#include "common/mutex.hpp"
#include "common/status.hpp"
#include "config/config.hpp"
#include "router/delivery_loop.hpp"
#include "router/destination.hpp"
#include "router/router_control.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

class Router : public RouterControl {
 public:
  Router(storage::EventLog& log, RouterMetrics& metrics) : log_(log), metrics_(metrics) {}
  // Stops the loops if the owner did not.
  ~Router() override;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // A router with a destination for each of destinations (destination_factory.hpp), with one
  // instance per lane. The error of the first that cannot be built.
  static Result<std::unique_ptr<Router>> create(
      const std::vector<config::DestinationConfig>& destinations, storage::EventLog& log,
      RouterMetrics& metrics);

  // Adds a destination delivered by the given instances (one lane each); only before start().
  void add(const config::DestinationConfig& config,
           std::vector<std::unique_ptr<Destination>> destinations, LoopTiming timing = {});
  void add(const config::DestinationConfig& config, std::unique_ptr<Destination> destination,
           LoopTiming timing = {});

  void start() EXCLUDES(mutex_, lifecycle_mutex_);
  // Asks every loop to stop, then waits for all of them (so stopping takes as long as the
  // slowest one, not their sum). Idempotent.
  void stop() EXCLUDES(mutex_, lifecycle_mutex_);

  struct Changes {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> restarted;
  };
  // What putting a set of destinations in force takes: the loops of the new and changed ones,
  // built and not started, and the ones to stop.
  struct Plan {
    std::vector<std::shared_ptr<DeliveryLoop>> in_force;  // in config order
    std::vector<std::shared_ptr<DeliveryLoop>> to_start;
    std::vector<std::shared_ptr<DeliveryLoop>> to_stop;
    Changes changes;
  };
  // Builds the destinations of next that are new or changed; changes nothing, and fails with
  // the error of the first that cannot be built.
  Result<Plan> plan(const std::vector<config::DestinationConfig>& next) const EXCLUDES(mutex_);
  // Puts a plan in force: stops the removed and changed loops (waiting for their cursors to be
  // saved), then starts the new ones; a changed destination that was paused stays paused. A
  // plan must be applied before another is made. What changed, for the log.
  Changes apply(Plan plan) EXCLUDES(mutex_, lifecycle_mutex_);
  // plan() then apply().
  Result<Changes> reconfigure(const std::vector<config::DestinationConfig>& next)
      EXCLUDES(mutex_, lifecycle_mutex_);

  std::size_t size() const EXCLUDES(mutex_);
  std::vector<std::string> names() const EXCLUDES(mutex_);

  // RouterControl
  std::vector<DestinationStatus> destinations() const override;
  Result<DestinationStatus> destination(std::string_view name) const override;
  Status pause(std::string_view name) override;
  Status resume(std::string_view name) override;
  Result<std::uint64_t> replay(std::string_view name, const ReplayFrom& from) override;
  Result<std::vector<storage::DeadLetter>> dead_letters(std::string_view name) const override;
  Result<storage::DeadLetter> dead_letter(std::string_view name, std::uint64_t id) const override;
  Status redeliver(std::string_view name, std::uint64_t id) override;
  Result<std::vector<EventDelivery>> event_delivery(std::uint64_t sequence,
                                                    const storage::Record& record) const override;

 private:
  // The loop of destination name; kNotFound when there is none. The loop stays valid for as
  // long as the caller holds it, even if a reload removes it meanwhile.
  Result<std::shared_ptr<DeliveryLoop>> find(std::string_view name) const EXCLUDES(mutex_);
  std::vector<std::shared_ptr<DeliveryLoop>> loops() const EXCLUDES(mutex_);
  // The loop of config, not started; its error when its destination cannot be built.
  Result<std::shared_ptr<DeliveryLoop>> build(const config::DestinationConfig& config) const;

  storage::EventLog& log_;
  RouterMetrics& metrics_;
  // Serializes start(), stop() and apply(), which start and stop loops; held while they wait
  // for loops, so it is never taken by the RouterControl calls.
  Mutex lifecycle_mutex_ ACQUIRED_BEFORE(mutex_);
  bool started_ GUARDED_BY(lifecycle_mutex_) = false;  // before start(), apply() starts nothing
  mutable Mutex mutex_;  // guards the list, for the RouterControl calls
  std::vector<std::shared_ptr<DeliveryLoop>> loops_ GUARDED_BY(mutex_);
};

}  // namespace sluice::router
