// SLUICE_SOURCES: sources from the environment, merged with the file's [[sources]].

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;
using Catch::Equals;

constexpr std::string_view kWebsite = R"([[sources]]
name = "website"
write_keys = ["file_key"]
)";

LoadResult load_with_env(std::string_view text, const std::string& sources) {
  return load_string(text, "test.toml", Environment{{"SLUICE_SOURCES", sources}});
}

ConfigError only_env_error(const LoadResult& result) {
  ConfigError error = test::require_one_error(result);
  CHECK(error.origin == "environment variable SLUICE_SOURCES");
  CHECK(error.line == 0);
  return error;
}

TEST_CASE("SLUICE_SOURCES alone is enough: no [[sources]] in the file", "[config][env]") {
  const Config config =
      test::require_loaded(load_with_env("[server]\nthreads = 1\n", "website=key1,key2;ios=key3"));
  REQUIRE(config.sources.size() == 2);
  CHECK(config.sources[0].name == "website");
  CHECK_THAT(config.sources[0].write_keys, Equals(std::vector<std::string>{"key1", "key2"}));
  CHECK(config.sources[1].name == "ios");
  CHECK_THAT(config.sources[1].write_keys, Equals(std::vector<std::string>{"key3"}));
}

TEST_CASE("SLUICE_SOURCES tolerates spaces and empty entries", "[config][env]") {
  const Config config = test::require_loaded(load_with_env("", " a = k1 , k2 ;; b=k3; "));
  REQUIRE(config.sources.size() == 2);
  CHECK_THAT(config.sources[0].write_keys, Equals(std::vector<std::string>{"k1", "k2"}));
  CHECK(config.sources[1].name == "b");
}

TEST_CASE("SLUICE_SOURCES merges with the file's sources", "[config][env]") {
  SECTION("a new name is added after the file's sources") {
    const Config config = test::require_loaded(load_with_env(kWebsite, "ios=ios_key"));
    REQUIRE(config.sources.size() == 2);
    CHECK(config.sources[0].name == "website");
    CHECK_THAT(config.sources[0].write_keys, Equals(std::vector<std::string>{"file_key"}));
    CHECK(config.sources[1].name == "ios");
  }
  SECTION("the same name replaces that source's write keys") {
    const Config config = test::require_loaded(load_with_env(kWebsite, "website=prod_key"));
    REQUIRE(config.sources.size() == 1);
    CHECK_THAT(config.sources[0].write_keys, Equals(std::vector<std::string>{"prod_key"}));
  }
  SECTION("a replaced key may be reused by another source") {
    const Config config =
        test::require_loaded(load_with_env(kWebsite, "website=new_key;ios=file_key"));
    REQUIRE(config.sources.size() == 2);
    CHECK_THAT(config.sources[1].write_keys, Equals(std::vector<std::string>{"file_key"}));
  }
}

TEST_CASE("SLUICE_SOURCES is checked like [[sources]], without quoting keys", "[config][env]") {
  SECTION("an entry without '='") {
    const ConfigError error = only_env_error(load_with_env(kWebsite, "ios"));
    CHECK_THAT(error.message, Contains("entry 1 must be name=key1,key2"));
  }
  SECTION("an empty name") {
    const ConfigError error = only_env_error(load_with_env(kWebsite, "a=k1;=k2"));
    CHECK_THAT(error.message, Contains("entry 2 must be name=key1,key2"));
  }
  SECTION("an empty key") {
    const ConfigError error = only_env_error(load_with_env(kWebsite, "ios=k1,,k2"));
    CHECK_THAT(error.message, Contains("entry 1 (source \"ios\"): write keys must be non-empty"));
  }
  SECTION("a source named twice") {
    const ConfigError error = only_env_error(load_with_env(kWebsite, "ios=k1;ios=k2"));
    CHECK_THAT(error.message, Contains("entry 2: source \"ios\" is already named by entry 1"));
  }
  SECTION("a key of another source of the file") {
    const ConfigError error = only_env_error(load_with_env(kWebsite, "ios=file_key"));
    CHECK_THAT(error.message,
               Contains("a write key of source \"ios\" is already a write key of source "
                        "\"website\""));
    CHECK_THAT(error.message, !Contains("file_key"));
  }
  SECTION("a key shared by two sources of the variable") {
    const ConfigError error = only_env_error(load_with_env("", "a=secret;b=secret"));
    CHECK_THAT(error.message, !Contains("secret"));
  }
  SECTION("a key listed twice for one source") {
    const ConfigError error = only_env_error(load_with_env("", "a=k1,k1"));
    CHECK_THAT(error.message, Contains("lists the same write key twice"));
  }
  SECTION("a value naming no source") {
    const LoadResult result = load_with_env("", " ; ");
    CHECK_FALSE(result.config.has_value());
    CHECK_THAT(test::all_errors(result), Contains("SLUICE_SOURCES: names no source"));
  }
}

}  // namespace
}  // namespace sluice::config
