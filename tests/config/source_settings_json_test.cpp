#include "config/source_settings_json.hpp"

#include <catch2/catch.hpp>

namespace sluice::config {
namespace {

using Catch::Contains;

TEST_CASE("Settings in JSON read like [sources.settings]", "[config][sources]") {
  const std::string json =
      R"({"rate_limit":{"events_per_second":2000,"burst":10000},)"
      R"("allowed_origins":["https://shop.example.com"],"allowed_types":["track","page"],)"
      R"("blocked_events":["Debug Ping","Test *"]})";
  const SettingsFromJson read = source_settings_from_json(json, "settings");
  INFO((read.errors.empty() ? "" : read.errors.front()));
  REQUIRE(read.settings.has_value());
  const SourceSettings& settings = *read.settings;
  REQUIRE(settings.rate_limit.has_value());
  CHECK(settings.rate_limit->events_per_second == 2000);
  CHECK(settings.rate_limit->burst == 10000);
  CHECK(*settings.allowed_origins == std::vector<std::string>{"https://shop.example.com"});
  CHECK(settings.allowed_types == std::vector<std::string>{"track", "page"});
  CHECK(settings.blocked_events == std::vector<std::string>{"Debug Ping", "Test *"});
  CHECK(read.present.size() == 4);

  // A fractional rate and the default burst, as in TOML.
  const SettingsFromJson fractional =
      source_settings_from_json(R"({"rate_limit":{"events_per_second":2.5}})", "settings");
  REQUIRE(fractional.settings.has_value());
  CHECK(fractional.settings->rate_limit->burst == 3);
}

TEST_CASE("Bad settings in JSON are refused with the TOML reader's messages", "[config][sources]") {
  const auto first_error = [](std::string_view json) {
    const SettingsFromJson read = source_settings_from_json(json, "settings");
    CHECK_FALSE(read.settings.has_value());
    return read.errors.empty() ? std::string() : read.errors.front();
  };
  CHECK_THAT(first_error(R"({"allowed_types":["tarck"]})"), Contains("did you mean \"track\""));
  CHECK_THAT(first_error(R"({"rate_limt":{}})"), Contains("rate_limt"));
  CHECK_THAT(first_error(R"({"rate_limit":{"events_per_second":-1}})"),
             Contains("settings.rate_limit.events_per_second"));
  CHECK_THAT(first_error(R"({"blocked_events":["*"]})"), Contains("settings.blocked_events[0]"));
  CHECK_THAT(first_error(R"({"allowed_origins":[null]})"), Contains("null"));
  CHECK_THAT(first_error("[1]"), Contains("expected an object"));
  CHECK_THAT(first_error("{"), Contains("not valid JSON"));

  // null leaves a member at its default, and says so.
  const SettingsFromJson nulls =
      source_settings_from_json(R"({"rate_limit":null,"allowed_types":["track"]})", "settings");
  REQUIRE(nulls.settings.has_value());
  CHECK(nulls.nulls.contains("rate_limit"));
  CHECK(nulls.present.contains("allowed_types"));
  CHECK_FALSE(nulls.settings->rate_limit.has_value());
}

}  // namespace
}  // namespace sluice::config
