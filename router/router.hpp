#pragma once

// The router: one DeliveryLoop per configured destination, started after the HTTP server
// starts and stopped after it stops, before the event log closes (server/main.cpp). The loops
// are independent: a destination that keeps failing delays only itself. It is also what
// operators act on through the admin API (RouterControl).
//
// Threading: add(), start() and stop() from one owning thread; the RouterControl methods from
// any thread. The EventLog and RouterMetrics must outlive the Router.

#include <memory>
#include <string>
#include <vector>

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
  // instance per lane. nullptr and *error when one cannot be built.
  static std::unique_ptr<Router> create(const std::vector<config::DestinationConfig>& destinations,
                                        storage::EventLog& log, RouterMetrics& metrics,
                                        std::string* error);

  // Adds a destination delivered by the given instances (one lane each); only before start().
  void add(const config::DestinationConfig& config,
           std::vector<std::unique_ptr<Destination>> destinations, LoopTiming timing = {});
  void add(const config::DestinationConfig& config, std::unique_ptr<Destination> destination,
           LoopTiming timing = {});

  void start();
  // Asks every loop to stop, then waits for all of them (so stopping takes as long as the
  // slowest one, not their sum). Idempotent.
  void stop();

  std::size_t size() const { return loops_.size(); }
  std::vector<std::string> names() const;

  // RouterControl
  std::vector<DestinationStatus> destinations() const override;
  std::optional<DestinationStatus> destination(std::string_view name) const override;
  ControlResult pause(std::string_view name) override;
  ControlResult resume(std::string_view name) override;
  ControlResult replay(std::string_view name, const ReplayFrom& from,
                       std::uint64_t* cursor) override;
  ControlResult dead_letters(std::string_view name,
                             std::vector<storage::DeadLetter>* letters) const override;
  ControlResult dead_letter(std::string_view name, std::uint64_t id,
                            storage::DeadLetter* letter) const override;
  ControlResult redeliver(std::string_view name, std::uint64_t id) override;

 private:
  DeliveryLoop* find(std::string_view name) const;

  storage::EventLog& log_;
  RouterMetrics& metrics_;
  std::vector<std::unique_ptr<DeliveryLoop>> loops_;
};

}  // namespace sluice::router
