#pragma once

// Internal to sluice_config. The sub-table of one destination that its type selects:
// [destinations.webhook], [destinations.file] or [destinations.kafka].

#include <string>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

// Reads table into the alternative that destination.settings already holds. name prefixes
// errors ("destinations[0].file"). Returns false when anything was reported.
bool read_destination_kind(const toml::table& table, const std::string& name,
                           DestinationConfig& destination, ErrorSink& errors);

}  // namespace sluice::config
