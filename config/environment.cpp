#include <unistd.h>

#include "config/config.hpp"

namespace sluice::config {
namespace {

constexpr std::string_view kPrefix = "SLUICE_";

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with(kPrefix)) continue;
    const std::size_t equals = text.find('=');
    // POSIX allows an entry without '=' (set through execve); it has no value to override with.
    if (equals == std::string_view::npos) continue;
    env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

}  // namespace sluice::config
