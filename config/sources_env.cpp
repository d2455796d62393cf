#include "config/sources_env.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/messages.hpp"

namespace sluice::config {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(trimmed(text.substr(0, at)));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::string ordinal(std::size_t index) {
  return "entry " + std::to_string(index + 1);
}

// One "name=key1,key2" entry, or nothing (and an error) when it is malformed.
std::optional<SourceConfig> parse_entry(std::string_view entry, std::size_t index,
                                        ErrorSink& errors) {
  const auto equals = entry.find('=');
  const std::string_view name = trimmed(entry.substr(0, equals));
  if (equals == std::string_view::npos || name.empty()) {
    errors.at_env(kSourcesVariable, ordinal(index) +
                                        " must be name=key1,key2 (sources are "
                                        "separated by ';')");
    return std::nullopt;
  }
  SourceConfig source{std::string(name), {}, {}};  // settings: the defaults
  for (std::string_view key : split(entry.substr(equals + 1), ',')) {
    if (key.empty()) {
      errors.at_env(kSourcesVariable, ordinal(index) + " (source " + quoted(name) +
                                          "): write keys must be non-empty, separated by ','");
      return std::nullopt;
    }
    source.write_keys.emplace_back(key);
  }
  return source;
}

}  // namespace

void merge_environment_sources(const Environment& env, Config& config, ErrorSink& errors) {
  const auto variable = env.find(std::string(kSourcesVariable));
  if (variable == env.end()) return;
  std::vector<SourceConfig> from_env;
  std::map<std::string, std::size_t, std::less<>> entry_of_name;
  std::size_t index = 0;
  for (std::string_view entry : split(variable->second, ';')) {
    if (entry.empty()) continue;  // "a=k1;" and "a=k1;;b=k2" are harmless
    auto source = parse_entry(entry, index, errors);
    if (source) {
      const auto [first, inserted] = entry_of_name.try_emplace(source->name, index);
      if (!inserted) {
        errors.at_env(kSourcesVariable, ordinal(index) + ": source " + quoted(source->name) +
                                            " is already named by " + ordinal(first->second));
      } else {
        from_env.push_back(std::move(*source));
      }
    }
    ++index;
  }
  if (index == 0) {
    errors.at_env(kSourcesVariable, "names no source: set it as name=key1,key2;name2=key3");
    return;
  }

  // The environment replaces the keys of a source the file also has.
  for (SourceConfig& source : from_env) {
    bool replaced = false;
    for (SourceConfig& existing : config.sources) {
      if (existing.name == source.name) {
        existing.write_keys = source.write_keys;
        replaced = true;
      }
    }
    if (!replaced) config.sources.push_back(source);
  }

  // Requests are attributed to a source by write key alone: a key must stay unique once merged.
  // Clashes between two sources of the file were reported when the file was read.
  std::map<std::string_view, std::string_view> owner_of_key;
  for (const SourceConfig& source : config.sources) {
    for (const std::string& key : source.write_keys) {
      const auto [owner, inserted] = owner_of_key.try_emplace(key, source.name);
      const bool involves_env =
          entry_of_name.contains(source.name) || entry_of_name.contains(owner->second);
      if (inserted || !involves_env) continue;
      if (owner->second == source.name) {
        errors.at_env(kSourcesVariable,
                      "source " + quoted(source.name) + " lists the same write key twice");
      } else {
        errors.at_env(kSourcesVariable, "a write key of source " + quoted(source.name) +
                                            " is already a write key of source " +
                                            quoted(owner->second));
      }
    }
  }
}

}  // namespace sluice::config
