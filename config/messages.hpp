#pragma once

// Internal to sluice_config. The wording of error messages, kept in one place so every check
// phrases the same kind of problem the same way:
//   server.threads: expected an integer >= 0, got string "four"
//   unknown key "listn" in [server]; did you mean "listen"?

#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace sluice::config {

// The type and value of node as a reader would recognise it: string "four", integer -1, array.
std::string describe(const toml::node& node);

// "<name>: expected <expected>, got <describe(actual)>".
std::string expected_but_got(std::string_view name, std::string_view expected,
                             const toml::node& actual);

// "; did you mean \"<name>\"?" when word looks like a typo of one of known, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> known);

// "unknown key \"<key>\" in <where>" followed by did_you_mean(key, known).
std::string unknown_key(std::string_view key, std::string_view where,
                        std::span<const std::string_view> known);

// "[text]": a section header or an array index in a message.
std::string bracketed(std::string_view text);

// A quoted string as it would be written in TOML, shortened when long.
std::string quoted(std::string_view text);

}  // namespace sluice::config
