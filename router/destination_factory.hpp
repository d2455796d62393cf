#pragma once

// From a [[destinations]] table to the Destination of its type (router/destinations/).

#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "router/destination.hpp"

namespace sluice::router {

// Why this version cannot run destination (its type is not built yet), or nullopt when it can.
// The server checks every destination with this before it opens anything.
std::optional<std::string> unsupported_destination(const config::DestinationConfig& destination);

// Builds the Destination that config describes. nullptr and *error when it cannot.
std::unique_ptr<Destination> make_destination(const config::DestinationConfig& config,
                                              std::string* error);

}  // namespace sluice::router
