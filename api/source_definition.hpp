#pragma once

// What a source is, wherever it was declared: its name, whether it takes events, its write
// keys (each with the time it stops working, if it was revoked) and its settings. The config
// file's [[sources]] and the sources created through the admin API (source_catalog.hpp) are
// both turned into SourceDefinitions, from which a SourceRegistry is built.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace sluice::api {

enum class SourceOrigin : std::uint8_t {
  kConfig,  // [[sources]] or SLUICE_SOURCES: changed only by editing them and reloading
  kApi,     // created through the admin API and stored in the log's database
};

// A time that never comes: a key that was never revoked expires then.
inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct WriteKey {
  std::string key;
  std::int64_t created_at_ms = 0;  // 0: unknown (keys from the config file)
  // From this time on (Unix milliseconds) the key is refused as revoked; kNever: not revoked.
  std::int64_t expires_at_ms = kNever;

  bool revoked() const { return expires_at_ms != kNever; }
  bool operator==(const WriteKey&) const = default;
};

struct SourceDefinition {
  std::string name;
  SourceOrigin origin = SourceOrigin::kConfig;
  config::SourceKind kind = config::SourceKind::kTracking;
  bool enabled = true;             // a disabled source's keys are refused
  std::int64_t created_at_ms = 0;  // 0: unknown (sources from the config file)
  std::vector<WriteKey> keys;
  config::SourceSettings settings;

  bool operator==(const SourceDefinition&) const = default;
};

// A source of the config file, enabled, with keys that never expire.
SourceDefinition definition_of(const config::SourceConfig& source);
std::vector<SourceDefinition> definitions_of(const std::vector<config::SourceConfig>& sources);

}  // namespace sluice::api
