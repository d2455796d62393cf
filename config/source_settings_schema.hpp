#pragma once

// Internal to sluice_config. Reads one [sources.settings] table: the rate limit, CORS origins,
// allowed types and blocked track events of a source (SourceSettings in config.hpp).

#include <string>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

// Fills out from node, the value of a source's "settings" key; name is how messages call it
// ("sources[0].settings"). Every problem is reported to errors at its value's position; a
// setting that is refused keeps its default.
void read_source_settings(const std::string& name, const toml::node& node, SourceSettings& out,
                          ErrorSink& errors);

}  // namespace sluice::config
