#include "config/source_settings_json.hpp"

#include <cstdint>
#include <memory>

#include <simdjson.h>
#include <toml++/toml.h>

#include "config/error_sink.hpp"
#include "config/source_settings_schema.hpp"

namespace sluice::config {
namespace {

// Deep enough for every setting ({"rate_limit":{...}} and arrays of strings); deeper input is
// refused rather than followed.
constexpr int kMaxDepth = 8;

// The JSON value as the TOML value the settings reader expects. False (with *error) for what
// TOML cannot hold: null inside a member, numbers beyond int64, too deep a nesting.
bool to_toml(simdjson::dom::element value, int depth, const std::string& name,
             std::unique_ptr<toml::node>& out, std::string* error) {
  if (depth > kMaxDepth) {
    *error = name + ": nested too deeply";
    return false;
  }
  switch (value.type()) {
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object;
      if (value.get_object().get(object)) break;
      auto table = std::make_unique<toml::table>();
      for (auto [key, member] : object) {
        std::unique_ptr<toml::node> node;
        const std::string member_name = name + "." + std::string(key);
        if (!to_toml(member, depth + 1, member_name, node, error)) return false;
        table->insert_or_assign(std::string(key), std::move(*node));
      }
      out = std::move(table);
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array items;
      if (value.get_array().get(items)) break;
      auto array = std::make_unique<toml::array>();
      std::size_t index = 0;
      for (simdjson::dom::element item : items) {
        std::unique_ptr<toml::node> node;
        if (!to_toml(item, depth + 1, name + "[" + std::to_string(index++) + "]", node, error)) {
          return false;
        }
        array->push_back(std::move(*node));
      }
      out = std::move(array);
      return true;
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text)) break;
      out = std::make_unique<toml::value<std::string>>(std::string(text));
      return true;
    }
    case simdjson::dom::element_type::INT64: {
      std::int64_t number = 0;
      if (value.get_int64().get(number)) break;
      out = std::make_unique<toml::value<std::int64_t>>(number);
      return true;
    }
    case simdjson::dom::element_type::UINT64:
      *error = name + ": the number is too large";
      return false;
    case simdjson::dom::element_type::DOUBLE: {
      double number = 0;
      if (value.get_double().get(number)) break;
      out = std::make_unique<toml::value<double>>(number);
      return true;
    }
    case simdjson::dom::element_type::BOOL: {
      bool flag = false;
      if (value.get_bool().get(flag)) break;
      out = std::make_unique<toml::value<bool>>(flag);
      return true;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      *error = name + ": null is not a value here";
      return false;
  }
  *error = name + ": unreadable value";
  return false;
}

}  // namespace

SettingsFromJson source_settings_from_json(std::string_view json, const std::string& name) {
  SettingsFromJson result;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto error = parser.parse(json.data(), json.size()).get(root); error) {
    result.errors.push_back(name + ": not valid JSON (" +
                            std::string(simdjson::error_message(error)) + ")");
    return result;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    result.errors.push_back(name + ": expected an object such as {\"allowed_types\":[\"track\"]}");
    return result;
  }
  toml::table table;
  for (auto [key, member] : object) {
    if (member.is_null()) {
      result.nulls.emplace(key);
      continue;
    }
    std::unique_ptr<toml::node> node;
    std::string error;
    if (!to_toml(member, 1, name + "." + std::string(key), node, &error)) {
      result.errors.push_back(std::move(error));
      continue;
    }
    result.present.emplace(key);
    table.insert_or_assign(std::string(key), std::move(*node));
  }
  if (!result.errors.empty()) return result;
  ErrorSink errors("");
  SourceSettings settings;
  read_source_settings(name, table, settings, errors);
  for (ConfigError& error : errors.take()) result.errors.push_back(std::move(error.message));
  if (result.errors.empty()) result.settings = std::move(settings);
  return result;
}

}  // namespace sluice::config
