#pragma once

// From a [[destinations]] table to the Destination of its type (router/destinations/).

#include <memory>

#include "common/status.hpp"
#include "config/config.hpp"
#include "router/destination.hpp"
#include "router/router_metrics.hpp"

namespace sluice::router {

// How many instances of the destination deliver at once: max_in_flight for kinds whose
// batches are independent requests (webhook) or transactions (postgres, whose upserts keep the
// newest version whichever commits last); one for the file destination, which appends to one
// file, and for Kafka, whose producer pipelines on its own and must keep per-key order.
std::size_t lane_count(const config::DestinationConfig& config);

// Builds the Destination that config describes; the error names the destination. metrics: for
// the counters of a kind's own (the warehouse's type conflicts); may be null in tests.
Result<std::unique_ptr<Destination>> make_destination(const config::DestinationConfig& config,
                                                      RouterMetrics* metrics = nullptr);

}  // namespace sluice::router
