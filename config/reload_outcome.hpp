#pragma once

// What a config reload did (server/config_reloader.hpp), as the admin API and the log report
// it.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::config {

struct ReloadOutcome {
  bool ok = false;                            // false: the file was refused, nothing changed
  std::uint64_t generation = 0;               // the config generation in force afterwards
  std::vector<std::string> errors;            // why the file was refused, file:line:column each
  std::vector<std::string> applied;           // "sources", "log.level"
  std::vector<std::string> restart_required;  // "server.listen", "destinations", ...
};

}  // namespace sluice::config
