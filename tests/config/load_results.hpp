#pragma once

// Checks on a LoadResult shared by the config tests: every error as text, a config that must
// have loaded, and the one error a load must have produced.

#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"

namespace sluice::config::test {

inline std::string all_errors(const LoadResult& result) {
  std::string text;
  for (const ConfigError& error : result.errors) text += error.to_string() + "\n";
  return text;
}

inline Config require_loaded(const LoadResult& result) {
  INFO(all_errors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config.has_value());
  return *result.config;
}

inline ConfigError require_one_error(const LoadResult& result) {
  INFO(all_errors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK_FALSE(result.config.has_value());
  return result.errors.front();
}

}  // namespace sluice::config::test
