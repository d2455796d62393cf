#include "config/env_overrides.hpp"

#include <cctype>
#include <vector>

#include "config/messages.hpp"
#include "config/settings_schema.hpp"
#include "config/sources_env.hpp"

namespace sluice::config {
namespace {

constexpr std::string_view kPrefix = "SLUICE_";
constexpr std::string_view kValueKey = "value";

// [[sources]] and [[destinations]] have no per-key variables: a flat name cannot address one
// table of the list. Sources have SLUICE_SOURCES instead (sources_env.hpp), which adds sources
// or replaces a source's keys but never drops one; destinations come from the file only.
struct ListVariable {
  std::string_view prefix;
  std::string_view message;
};
constexpr ListVariable kListVariables[] = {
    {"SLUICE_SOURCES",
     "[[sources]] settings have no variables of their own: set whole sources with "
     "SLUICE_SOURCES=\"name=key1,key2;name2=key3\""},
    {"SLUICE_DESTINATIONS",
     "[[destinations]] cannot be set from the environment; edit the config file"},
};

const ListVariable* list_variable(const std::string& variable) {
  if (variable == kSourcesVariable) return nullptr;  // read by merge_environment_sources
  for (const ListVariable& list : kListVariables) {
    if (variable == list.prefix || variable.starts_with(std::string(list.prefix) + "_")) {
      return &list;
    }
  }
  return nullptr;
}

// "server.tls" and "cert_file" name SLUICE_SERVER_TLS_CERT_FILE.
std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string variable_name(std::string_view section, std::string_view key) {
  return std::string(kPrefix) + upper(section) + "_" + upper(key);
}

// The section whose variables' prefix is the longest that `variable` starts with: [server.tls]
// rather than [server] for SLUICE_SERVER_TLS_KEY_FILE.
const SectionSchema* section_of(const std::string& variable) {
  const SectionSchema* best = nullptr;
  for (const SectionSchema& section : settings_schema()) {
    if (variable.starts_with(variable_name(section.name, "")) &&
        (best == nullptr || section.name.size() > best->name.size())) {
      best = &section;
    }
  }
  return best;
}

// The value as TOML when "value = <text>" parses to exactly that one value (so 4, true and
// ["a","b"] keep their types), and otherwise, or when only a string is valid, the text itself.
toml::table parse_value(const std::string& text, bool text_only) {
  try {
    toml::table document = toml::parse(std::string(kValueKey) + " = " + text);
    const toml::node* value = document.get(kValueKey);
    if (document.size() == 1 && value != nullptr && (!text_only || value->is_string())) {
      return document;
    }
  } catch (const toml::parse_error&) {
    // Not a TOML value: most env values (paths, host:port, "10s") are bare text.
  }
  toml::table document;
  document.insert(kValueKey, text);
  return document;
}

}  // namespace

EnvOverrides::EnvOverrides(const Environment& env, ErrorSink& errors) {
  for (const auto& [variable, text] : env) {
    if (!variable.starts_with(kPrefix)) continue;
    if (const ListVariable* list = list_variable(variable)) {
      errors.at_env(variable, std::string(list->message));
      continue;
    }
    const SectionSchema* section = section_of(variable);
    if (section == nullptr) continue;
    std::vector<std::string> candidates;
    bool found = false;
    for (const SettingSchema& setting : section->settings) {
      candidates.push_back(variable_name(section->name, setting.key));
      if (candidates.back() != variable) continue;
      by_setting_.insert_or_assign(std::string(section->name) + "." + std::string(setting.key),
                                   Override{variable, parse_value(text, setting.text_only)});
      found = true;
    }
    if (!found) {
      const std::vector<std::string_view> known(candidates.begin(), candidates.end());
      errors.at_env(variable, "no setting of [" + std::string(section->name) + "] has this name" +
                                  did_you_mean(variable, known));
    }
  }
}

ValueRef EnvOverrides::find(std::string_view section, std::string_view key) const {
  const auto it = by_setting_.find(std::string(section).append(".").append(key));
  if (it == by_setting_.end()) return {};
  return ValueRef{it->second.document.get(kValueKey), &it->second.variable};
}

}  // namespace sluice::config
