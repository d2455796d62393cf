#pragma once

// A source's settings written as JSON (the admin API's "settings", and the form the log's
// database stores them in; api::write_source_settings writes them): the same members as
// [sources.settings] in TOML, checked by the same rules with the same messages, so a setting means
// one thing wherever it is written.
//
//   {"rate_limit": {"events_per_second": 2000, "burst": 10000},
//    "allowed_origins": ["https://shop.example.com"],
//    "allowed_types": ["track", "page"],
//    "blocked_events": ["Debug Ping", "Test *"]}
//
// A member whose value is null is left at its default.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace sluice::config {

struct SettingsFromJson {
  std::optional<SourceSettings> settings;  // set only when errors is empty
  // Members present in the object with a value other than null.
  std::set<std::string, std::less<>> present;
  // Members present with the value null.
  std::set<std::string, std::less<>> nulls;
  std::vector<std::string> errors;  // "settings.burst: expected ..., got ..."
};

// Reads a JSON object's text; name is how messages call it ("settings").
SettingsFromJson source_settings_from_json(std::string_view json, const std::string& name);

}  // namespace sluice::config
