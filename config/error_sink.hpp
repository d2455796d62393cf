#pragma once

// Internal to sluice_config. Collects ConfigErrors while one load runs, attaching the origin and
// position of the value each one is about: a node of the config file carries its line and
// column, a value from an environment variable carries the variable's name instead.
//
// Not thread-safe; one ErrorSink belongs to one load call. Referenced nodes and strings need
// only live for the duration of each call.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"

namespace sluice::config {

// A value found for a setting, and where it came from.
struct ValueRef {
  const toml::node* node = nullptr;      // null when the setting is absent
  const std::string* env_var = nullptr;  // null when the node is from the config file
};

class ErrorSink {
 public:
  explicit ErrorSink(std::string file_origin) : file_origin_(std::move(file_origin)) {}

  // About value: at its position in the file, or naming its environment variable.
  void at(const ValueRef& value, std::string message);
  // About a place in the config file (a key, a table header, a syntax error).
  void at(const toml::source_region& where, std::string message);
  // About the config file as a whole (something missing from it).
  void at_file(std::string message);
  void at_env(std::string_view variable, std::string message);

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }

  // File errors in position order (errors without a position last), then environment errors.
  std::vector<ConfigError> take();

 private:
  std::string file_origin_;
  std::vector<ConfigError> errors_;
};

}  // namespace sluice::config
