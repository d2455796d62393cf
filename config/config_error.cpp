#include "config/config.hpp"

namespace sluice::config {

std::string ConfigError::to_string() const {
  std::string out = origin;
  // A column without a line would point nowhere, so it is only shown after one.
  if (line > 0) {
    out.append(out.empty() ? "" : ":").append(std::to_string(line));
    if (column > 0) out.append(":").append(std::to_string(column));
  }
  if (!out.empty()) out.append(": ");
  out.append(message);
  return out;
}

}  // namespace sluice::config
