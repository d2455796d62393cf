#pragma once

// Internal to sluice_config. The SLUICE_<SECTION>_<KEY> environment variables that override
// settings of the config file, each already turned into a TOML value so that the same readers
// check file and environment values alike.
//
// Immutable after construction. The ValueRefs handed out point into this object and live as
// long as it does.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

class EnvOverrides {
 public:
  // Takes every variable of env that names a setting; reports those that look meant for us but
  // name no setting. Variables outside SLUICE_SERVER_, SLUICE_STORAGE_, SLUICE_LOG_,
  // SLUICE_ADMIN_, SLUICE_SOURCES_ and SLUICE_DESTINATIONS_ are left alone, for other uses (a
  // launcher's SLUICE_CONFIG, say).
  EnvOverrides(const Environment& env, ErrorSink& errors);

  EnvOverrides(const EnvOverrides&) = delete;
  EnvOverrides& operator=(const EnvOverrides&) = delete;

  // The override of section.key, or a ValueRef with a null node when there is none.
  ValueRef find(std::string_view section, std::string_view key) const;

 private:
  struct Override {
    std::string variable;
    toml::table document;  // the value, under a single key
  };

  std::map<std::string, Override, std::less<>> by_setting_;  // keyed by "section.key"
};

}  // namespace sluice::config
