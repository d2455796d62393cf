#pragma once

// The router: one DeliveryLoop per configured destination, started after the HTTP server
// starts and stopped after it stops, before the event log closes (server/main.cpp). The loops
// are independent: a destination that keeps failing delays only itself.
//
// Threading: start() and stop() from one owning thread. The EventLog and RouterMetrics must
// outlive the Router.

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "router/delivery_loop.hpp"
#include "router/destination.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

class Router {
 public:
  Router(storage::EventLog& log, RouterMetrics& metrics) : log_(log), metrics_(metrics) {}
  // Stops the loops if the owner did not.
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // A router with a destination for each of destinations (destination_factory.hpp). nullptr and
  // *error when one cannot be built.
  static std::unique_ptr<Router> create(const std::vector<config::DestinationConfig>& destinations,
                                        storage::EventLog& log, RouterMetrics& metrics,
                                        std::string* error);

  // Adds a destination; only before start().
  void add(const config::DestinationConfig& config, std::unique_ptr<Destination> destination,
           LoopTiming timing = {});

  void start();
  // Asks every loop to stop, then waits for all of them (so stopping takes as long as the
  // slowest one, not their sum). Idempotent.
  void stop();

  std::size_t size() const { return loops_.size(); }

 private:
  storage::EventLog& log_;
  RouterMetrics& metrics_;
  std::vector<std::unique_ptr<DeliveryLoop>> loops_;
};

}  // namespace sluice::router
