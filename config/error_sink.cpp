#include "config/error_sink.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace sluice::config {
namespace {

constexpr std::string_view kEnvOriginPrefix = "environment variable ";

std::string env_origin(std::string_view variable) {
  return std::string(kEnvOriginPrefix).append(variable);
}

}  // namespace

void ErrorSink::at(const ValueRef& value, std::string message) {
  if (value.env_var != nullptr) {
    at_env(*value.env_var, std::move(message));
  } else if (value.node != nullptr) {
    at(value.node->source(), std::move(message));
  } else {
    at_file(std::move(message));
  }
}

void ErrorSink::at(const toml::source_region& where, std::string message) {
  errors_.push_back({file_origin_, static_cast<int>(where.begin.line),
                     static_cast<int>(where.begin.column), std::move(message)});
}

void ErrorSink::at_file(std::string message) {
  errors_.push_back({file_origin_, 0, 0, std::move(message)});
}

void ErrorSink::at_env(std::string_view variable, std::string message) {
  errors_.push_back({env_origin(variable), 0, 0, std::move(message)});
}

std::vector<ConfigError> ErrorSink::take() {
  // Checks run setting by setting (and toml++ tables iterate in key order), so file order has
  // to be restored here; stable so that errors at one spot keep the order they were found in.
  auto rank = [this](const ConfigError& e) {
    const bool from_env = e.origin != file_origin_;
    const bool unplaced = e.line == 0;
    return std::tuple(from_env, unplaced, e.line, e.column);
  };
  std::stable_sort(errors_.begin(), errors_.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return rank(a) < rank(b); });
  return std::exchange(errors_, {});
}

}  // namespace sluice::config
