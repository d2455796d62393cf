#pragma once

// A check of a config file's bytes before the TOML parser sees them. toml++ 3.3 asserts on a
// NUL after '[' and reaches undefined behaviour on non-ASCII characters outside strings and
// comments (its Unicode bare-key tables); a config file must be refused with a message, never
// crash the process. TOML itself allows neither NUL nor non-ASCII bare keys, so nothing valid
// is refused here.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace sluice::config {

// The first problem with text, at its line and column (1-based; columns count characters): a NUL
// byte, a byte sequence that is not UTF-8, or a non-ASCII character outside a string or a comment.
// nullopt when there is none.
std::optional<ConfigError> check_config_text(std::string_view text, const std::string& origin);

}  // namespace sluice::config
