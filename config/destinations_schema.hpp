#pragma once

// Internal to sluice_config. Reads the [[destinations]] list: each destination has a unique
// name, a type with its own sub-table ([destinations.webhook], [destinations.file] or
// [destinations.kafka], read by destination_kinds.hpp), filters that name configured sources
// and known message types, and batching and retry settings.

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

// Appends every [[destinations]] table of root to config.destinations and reports what is wrong
// with them. No destinations at all is valid (events are stored and not forwarded). Reads
// config.sources and config.storage, so it runs after those are read.
void read_destinations(const toml::table& root, Config& config, ErrorSink& errors);

}  // namespace sluice::config
