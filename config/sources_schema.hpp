#pragma once

// Internal to sluice_config. Reads the [[sources]] list: each source has a unique, non-empty
// name and at least one write key, and a write key authenticates exactly one source.

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

// Appends every [[sources]] table of root to config.sources, then merges SLUICE_SOURCES from env
// (sources_env.hpp); reports bad entries, duplicates, unknown keys, and a config left without
// any source.
void read_sources(const toml::table& root, const Environment& env, Config& config,
                  ErrorSink& errors);

}  // namespace sluice::config
