#pragma once

// Internal to sluice_config. The settings of [server], [storage], [log] and [admin]: their keys,
// what each accepts, and how a value lands in Config. Both the file reader and the environment
// overrides work from this one table, so a new setting is added in one place.
// ([[sources]] and [[destinations]] are lists of tables with their own readers,
// sources_schema.hpp and destinations_schema.hpp.)

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {

class EnvOverrides;

// Stores value into its field of config, or says why it cannot.
using ReadSetting = std::optional<Mismatch> (*)(const toml::node& value, Config& config);

struct SettingSchema {
  std::string_view key;
  // Only a string is valid. An environment value is then taken verbatim even when it would parse
  // as another TOML type (SLUICE_STORAGE_PATH=2024 is the directory "2024").
  bool text_only = false;
  ReadSetting read = nullptr;
};

struct SectionSchema {
  std::string_view name;
  std::span<const SettingSchema> settings;
};

std::span<const SectionSchema> settings_schema();

// Reads [server], [storage], [log] and [admin] from root, each value replaced by its environment
// override when there is one, and reports unknown sections and keys. Settings that are absent
// keep the defaults of Config.
void read_settings(const toml::table& root, const EnvOverrides& overrides, Config& config,
                   ErrorSink& errors);

}  // namespace sluice::config
