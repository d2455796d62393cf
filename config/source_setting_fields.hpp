#pragma once

// The members of [sources.settings] by name, as the admin API names them in a PATCH: which
// names are settings, and how one is copied between two SourceSettings (so that a PATCH
// replaces or resets exactly the settings it names).

#include <string_view>

#include "config/config.hpp"

namespace sluice::config {

bool is_source_setting(std::string_view name);

// Copies the setting called name from `from` into `to`; nothing when name is no setting.
void copy_source_setting(std::string_view name, const SourceSettings& from, SourceSettings& to);

}  // namespace sluice::config
