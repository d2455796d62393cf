// load_file and load_string: TOML text (plus environment overrides) to a validated Config, or
// the full list of what is wrong with it.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/destinations_schema.hpp"
#include "config/env_overrides.hpp"
#include "config/error_sink.hpp"
#include "config/settings_schema.hpp"
#include "config/sources_schema.hpp"
#include "config/text_check.hpp"

namespace sluice::config {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The whole file, or the reason it cannot be read. Plain stdio because it reports the failure
// in errno, also for a path that opens but cannot be read (a directory).
std::optional<std::string> read_whole_file(const std::string& path, std::string& reason) {
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    reason = std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
    text.append(buffer, n);
  }
  if (std::ferror(file.get())) {
    reason = std::strerror(errno);
    return std::nullopt;
  }
  return text;
}

LoadResult failed(ConfigError error) {
  LoadResult result;
  result.errors.push_back(std::move(error));
  return result;
}

}  // namespace

LoadResult load_string(std::string_view toml_text, const std::string& origin,
                       const Environment& env) {
  // Config errors are reported as values; anything thrown here (bad_alloc) is not a config
  // problem but must still not escape the loader.
  try {
    ErrorSink errors(origin);
    // Environment variables are checked even when the file does not parse, so that one run
    // shows every problem.
    const EnvOverrides overrides(env, errors);
    if (auto bad_text = check_config_text(toml_text, origin)) {
      std::vector<ConfigError> all = errors.take();
      all.insert(all.begin(), std::move(*bad_text));
      return LoadResult{std::nullopt, std::move(all)};
    }
    toml::table root;
    try {
      root = toml::parse(toml_text, std::string_view(origin));
    } catch (const toml::parse_error& error) {
      errors.at(error.source(), "TOML syntax error: " + std::string(error.description()));
      return LoadResult{std::nullopt, errors.take()};
    }
    Config config;
    read_settings(root, overrides, config, errors);
    read_sources(root, env, config, errors);
    read_destinations(root, config, errors);  // after sources: checks the names it refers to
    if (!errors.empty()) return LoadResult{std::nullopt, errors.take()};
    return LoadResult{std::move(config), {}};
  } catch (const std::exception& error) {
    return failed(ConfigError{origin, 0, 0, std::string("cannot load config: ") + error.what()});
  }
}

LoadResult load_file(const std::string& path, const Environment& env) {
  std::string reason;
  std::optional<std::string> text;
  try {
    text = read_whole_file(path, reason);
  } catch (const std::exception& error) {
    reason = error.what();
  }
  if (!text) return failed(ConfigError{path, 0, 0, "cannot read config file: " + reason});
  return load_string(*text, path, env);
}

LoadResult load_server_config(const std::string& path, const Environment& env) {
  if (path.empty()) return load_string(embedded_default_toml(), "<embedded default>", env);
  return load_file(path, env);
}

}  // namespace sluice::config
