#pragma once

// Which settings suit which kind of source (config.hpp's SourceKind), checked on a source's
// whole settings: after the config file is read, and on the result of every admin API change.

#include <string>
#include <vector>

#include "config/config.hpp"

namespace sluice::config {

// Each problem as a message naming the setting ("settings.items is a setting of ..."); empty
// when the settings suit the kind.
std::vector<std::string> settings_problems(SourceKind kind, const SourceSettings& settings);

}  // namespace sluice::config
