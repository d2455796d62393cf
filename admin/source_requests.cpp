#include "admin/source_requests.hpp"

#include <algorithm>
#include <array>

#include <simdjson.h>

#include "api/source_catalog.hpp"
#include "config/source_setting_fields.hpp"
#include "config/source_settings_json.hpp"

namespace sluice::admin {
namespace {

Status invalid(std::string message) {
  return Status::invalid_argument(std::move(message));
}

Result<simdjson::dom::object> parse_object(simdjson::dom::parser& parser, std::string_view body,
                                           std::string_view example) {
  simdjson::dom::element root;
  if (const auto error = parser.parse(body.data(), body.size()).get(root); error) {
    return invalid("the body is not valid JSON (" + std::string(simdjson::error_message(error)) +
                   ")");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    return invalid("the body must be a JSON object such as " + std::string(example));
  }
  return object;
}

Result<config::SettingsFromJson> read_settings(simdjson::dom::element value) {
  if (!value.is_object()) {
    return invalid(R"("settings" must be an object such as {"allowed_types":["track"]})");
  }
  config::SettingsFromJson read =
      config::source_settings_from_json(simdjson::minify(value), "settings");
  if (!read.settings)
    return invalid(read.errors.empty() ? "invalid settings" : read.errors.front());
  return read;
}

}  // namespace

void SourcePatch::apply_to(api::SourceDefinition& source) const {
  if (enabled) source.enabled = *enabled;
  const config::SourceSettings defaults;
  for (const auto& name : replaced) config::copy_source_setting(name, settings, source.settings);
  for (const auto& name : reset) config::copy_source_setting(name, defaults, source.settings);
}

Result<CreateSource> parse_create_source(std::string_view body) {
  simdjson::dom::parser parser;
  auto object = parse_object(parser, body, R"({"name":"ios-app"})");
  if (!object.is_ok()) return object.status();
  CreateSource create;
  bool named = false;
  for (auto [key, value] : *object) {
    if (key == "name") {
      std::string_view name;
      if (value.get_string().get(name)) return invalid(R"("name" must be a string)");
      create.name = std::string(name);
      named = true;
    } else if (key == "kind") {
      std::string_view kind_name;
      const auto kind = value.get_string().get(kind_name) == simdjson::SUCCESS
                            ? config::source_kind_from_string(kind_name)
                            : std::nullopt;
      if (!kind) {
        return invalid(
            R"("kind" must be one of "tracking", "sendgrid", "mailgun", "postmark", "mandrill", "webhook")");
      }
      create.kind = *kind;
    } else if (key == "settings") {
      auto settings = read_settings(value);
      if (!settings.is_ok()) return settings.status();
      create.settings = std::move(*settings->settings);
    } else {
      return invalid("unknown member \"" + std::string(key) +
                     R"(": expected "name", "kind" and "settings")");
    }
  }
  if (!named) return invalid(R"(the body needs "name", such as {"name":"ios-app"})");
  return create;
}

Result<SourcePatch> parse_source_patch(std::string_view body) {
  simdjson::dom::parser parser;
  auto object = parse_object(parser, body, R"({"enabled":false})");
  if (!object.is_ok()) return object.status();
  SourcePatch patch;
  // The settings given at the top level are gathered into one object, read like "settings".
  std::string top_level_settings = "{";
  // A setting given twice (in "settings" and at the top level) is refused: which one was meant
  // cannot be told.
  std::string twice;
  const auto take_settings = [&patch, &twice](config::SettingsFromJson read) {
    for (const auto* names : {&read.present, &read.nulls}) {
      for (const auto& name : *names) {
        if (patch.replaced.contains(name) || patch.reset.contains(name)) twice = name;
      }
    }
    for (const auto& name : read.present) patch.replaced.insert(name);
    for (const auto& name : read.nulls) patch.reset.insert(name);
    for (const auto& name : read.present) {
      config::copy_source_setting(name, *read.settings, patch.settings);
    }
  };
  for (auto [key, value] : *object) {
    if (key == "enabled") {
      bool enabled = false;
      if (value.get_bool().get(enabled)) return invalid(R"("enabled" must be true or false)");
      patch.enabled = enabled;
    } else if (key == "settings") {
      auto settings = read_settings(value);
      if (!settings.is_ok()) return settings.status();
      take_settings(std::move(settings).value());
    } else if (config::is_source_setting(key)) {
      if (top_level_settings.size() > 1) top_level_settings += ',';
      top_level_settings += '"';
      top_level_settings += key;
      top_level_settings += "\":";
      top_level_settings += simdjson::minify(value);
    } else {
      return invalid("unknown member \"" + std::string(key) +
                     R"(": expected "enabled", "settings" or a setting such as "rate_limit")");
    }
  }
  if (top_level_settings.size() > 1) {
    top_level_settings += '}';
    simdjson::dom::parser settings_parser;
    simdjson::dom::element gathered;
    if (settings_parser.parse(top_level_settings).get(gathered)) return invalid("invalid settings");
    auto settings = read_settings(gathered);
    if (!settings.is_ok()) return settings.status();
    take_settings(std::move(settings).value());
  }
  if (!twice.empty()) {
    return invalid("the setting \"" + twice + "\" is given twice; give it once");
  }
  return patch;
}

Result<std::chrono::milliseconds> parse_revoke(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::chrono::milliseconds{0};
  }
  simdjson::dom::parser parser;
  auto object = parse_object(parser, body, R"({"after":"24h"})");
  if (!object.is_ok()) return object.status();
  std::chrono::milliseconds after{0};
  for (auto [key, value] : *object) {
    if (key != "after") {
      return invalid("unknown member \"" + std::string(key) + R"(": expected "after")");
    }
    constexpr std::int64_t kMaxSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(api::kMaxRevokeGrace).count();
    std::int64_t seconds = 0;
    std::string_view text;
    std::optional<std::chrono::milliseconds> parsed;
    if (!value.get_int64().get(seconds)) {
      if (seconds >= 0 && seconds <= kMaxSeconds) parsed = std::chrono::seconds(seconds);
    } else if (!value.get_string().get(text)) {
      parsed = config::parse_duration(text);
    }
    if (!parsed || *parsed > api::kMaxRevokeGrace) {
      return invalid(
          R"("after" must be a duration of at most 90 days such as "24h", "30m", "10s", or seconds)");
    }
    after = *parsed;
  }
  return after;
}

}  // namespace sluice::admin
