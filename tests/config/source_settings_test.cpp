// [sources.settings]: rate limit, CORS origins, allowed types and blocked events of a source.

#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;
using Catch::Equals;

std::string source_with(std::string_view settings) {
  return "[[sources]]\nname = \"website\"\nwrite_keys = [\"k1\"]\n[sources.settings]\n" +
         std::string(settings);
}

LoadResult load(const std::string& text, const Environment& env = {}) {
  return load_string(text, "test.toml", env);
}

TEST_CASE("A source without settings lets everything through", "[config][sources]") {
  const Config config = test::require_loaded(load(source_with("")));
  const SourceSettings& settings = config.sources.at(0).settings;
  CHECK_FALSE(settings.rate_limit.has_value());
  CHECK_FALSE(settings.allowed_origins.has_value());
  CHECK(settings.allowed_types.empty());
  CHECK(settings.blocked_events.empty());
}

TEST_CASE("[sources.settings] is read into the source's settings", "[config][sources]") {
  const Config config = test::require_loaded(load(source_with(R"(
rate_limit = { events_per_second = 2000, burst = 10000 }
allowed_origins = ["https://shop.example.com"]
allowed_types = ["track", "page", "identify"]
blocked_events = ["Debug Ping", "Test *"]
)")));
  const SourceSettings& settings = config.sources.at(0).settings;
  REQUIRE(settings.rate_limit.has_value());
  CHECK(settings.rate_limit->events_per_second == 2000);
  CHECK(settings.rate_limit->burst == 10000);
  REQUIRE(settings.allowed_origins.has_value());
  CHECK_THAT(*settings.allowed_origins,
             Equals(std::vector<std::string>{"https://shop.example.com"}));
  CHECK_THAT(settings.allowed_types, Equals(std::vector<std::string>{"track", "page", "identify"}));
  CHECK_THAT(settings.blocked_events, Equals(std::vector<std::string>{"Debug Ping", "Test *"}));
}

TEST_CASE("A rate limit's burst defaults to one second of events", "[config][sources]") {
  SECTION("a whole rate") {
    const Config config =
        test::require_loaded(load(source_with("rate_limit = { events_per_second = 50 }\n")));
    CHECK(config.sources[0].settings.rate_limit->burst == 50);
  }
  SECTION("a fractional rate rounds up, and below one event to one") {
    const Config config =
        test::require_loaded(load(source_with("rate_limit = { events_per_second = 0.25 }\n")));
    CHECK(config.sources[0].settings.rate_limit->events_per_second == 0.25);
    CHECK(config.sources[0].settings.rate_limit->burst == 1);
  }
}

TEST_CASE("An empty allowed_origins list allows no browser origin", "[config][sources]") {
  const Config config = test::require_loaded(load(source_with("allowed_origins = []\n")));
  REQUIRE(config.sources[0].settings.allowed_origins.has_value());
  CHECK(config.sources[0].settings.allowed_origins->empty());
}

TEST_CASE("A bad [sources.settings] value is reported at its position", "[config][sources]") {
  // The settings start on line 5 of source_with's text.
  SECTION("an unknown setting, with a suggestion") {
    const ConfigError error =
        test::require_one_error(load(source_with("blocked_event = [\"x\"]\n")));
    CHECK(error.origin == "test.toml");
    CHECK(error.line == 5);
    CHECK(error.column == 1);
    CHECK_THAT(error.message, Contains("unknown key \"blocked_event\" in sources[0].settings") &&
                                  Contains("did you mean \"blocked_events\"?"));
  }
  SECTION("an unknown key of rate_limit") {
    const ConfigError error = test::require_one_error(
        load(source_with("rate_limit = { events_per_second = 5, brust = 10 }\n")));
    CHECK(error.line == 5);
    CHECK_THAT(error.message, Contains("\"brust\"") && Contains("did you mean \"burst\"?"));
  }
  SECTION("a rate that is not above zero") {
    const ConfigError error =
        test::require_one_error(load(source_with("rate_limit = { events_per_second = 0 }\n")));
    CHECK(error.line == 5);
    CHECK(error.column == 36);
    CHECK_THAT(error.message,
               Contains("sources[0].settings.rate_limit.events_per_second: expected a number > 0"));
  }
  SECTION("a burst below one") {
    const ConfigError error = test::require_one_error(
        load(source_with("rate_limit = { events_per_second = 5, burst = 0 }\n")));
    CHECK_THAT(error.message,
               Contains("sources[0].settings.rate_limit.burst: expected an integer >= 1"));
  }
  SECTION("a rate limit without a rate") {
    const ConfigError error =
        test::require_one_error(load(source_with("rate_limit = { burst = 10 }\n")));
    CHECK_THAT(error.message, Contains("missing required key \"events_per_second\""));
  }
  SECTION("a type that Segment does not have") {
    const ConfigError error =
        test::require_one_error(load(source_with("allowed_types = [\"track\", \"pgae\"]\n")));
    CHECK(error.line == 5);
    CHECK(error.column == 27);
    CHECK_THAT(error.message, Contains("sources[0].settings.allowed_types[1]") &&
                                  Contains("is not a type") && Contains("did you mean \"page\"?"));
  }
  SECTION("an empty list of types") {
    const ConfigError error = test::require_one_error(load(source_with("allowed_types = []\n")));
    CHECK_THAT(error.message, Contains("a non-empty array of types"));
  }
  SECTION("a blocked event that would block them all") {
    const ConfigError error =
        test::require_one_error(load(source_with("blocked_events = [\"*\"]\n")));
    CHECK_THAT(error.message, Contains("sources[0].settings.blocked_events[0]"));
  }
  SECTION("settings that are not a table") {
    const ConfigError error = test::require_one_error(
        load("[[sources]]\nname = \"website\"\nwrite_keys = [\"k1\"]\nsettings = 3\n"));
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Contains("sources[0].settings: expected a table"));
  }
}

TEST_CASE("SLUICE_SOURCES keeps the settings of the file's sources", "[config][sources][env]") {
  const std::string text = source_with("blocked_events = [\"Debug Ping\"]\n");
  const Config config =
      test::require_loaded(load(text, Environment{{"SLUICE_SOURCES", "website=env_key;ios=k9"}}));
  REQUIRE(config.sources.size() == 2);
  SECTION("a source whose keys the environment replaces keeps its settings") {
    CHECK_THAT(config.sources[0].write_keys, Equals(std::vector<std::string>{"env_key"}));
    CHECK_THAT(config.sources[0].settings.blocked_events,
               Equals(std::vector<std::string>{"Debug Ping"}));
  }
  SECTION("a source only the environment names has the default settings") {
    CHECK(config.sources[1].name == "ios");
    CHECK(config.sources[1].settings.blocked_events.empty());
    CHECK_FALSE(config.sources[1].settings.rate_limit.has_value());
  }
}

}  // namespace
}  // namespace sluice::config
