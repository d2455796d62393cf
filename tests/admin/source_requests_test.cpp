#include "admin/source_requests.hpp"

#include <catch2/catch.hpp>

namespace sluice::admin {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

TEST_CASE("A create body names the source and may carry its settings", "[admin][sources]") {
  auto create = parse_create_source(R"({"name":"ios","settings":{"allowed_types":["track"]}})");
  REQUIRE(create.is_ok());
  CHECK(create->name == "ios");
  CHECK(create->settings.allowed_types == std::vector<std::string>{"track"});

  CHECK_THAT(parse_create_source("{}").status().message(), Contains("needs \"name\""));
  CHECK_THAT(parse_create_source(R"({"name":"x","enabled":true})").status().message(),
             Contains("unknown member \"enabled\""));
  CHECK_THAT(parse_create_source(R"({"name":"x","settings":[]})").status().message(),
             Contains("must be an object"));
  CHECK_THAT(parse_create_source("nope").status().message(), Contains("not valid JSON"));
}

TEST_CASE("A patch changes what it names, resets what it nulls and keeps the rest",
          "[admin][sources]") {
  api::SourceDefinition source;
  source.settings.blocked_events = {"Debug *"};
  source.settings.allowed_types = {"track"};
  source.settings.rate_limit = config::RateLimitConfig{10, 10};

  auto patch = parse_source_patch(
      R"({"enabled":false,"settings":{"rate_limit":null},"allowed_origins":["https://a.example"]})");
  INFO(patch.status().message());
  REQUIRE(patch.is_ok());
  patch->apply_to(source);
  CHECK_FALSE(source.enabled);
  CHECK_FALSE(source.settings.rate_limit.has_value());
  CHECK(*source.settings.allowed_origins == std::vector<std::string>{"https://a.example"});
  CHECK(source.settings.blocked_events == std::vector<std::string>{"Debug *"});
  CHECK(source.settings.allowed_types == std::vector<std::string>{"track"});

  CHECK_THAT(parse_source_patch(R"({"enabled":"no"})").status().message(),
             Contains("true or false"));
  CHECK_THAT(parse_source_patch(R"({"name":"renamed"})").status().message(),
             Contains("unknown member \"name\""));
  CHECK_THAT(parse_source_patch(R"({"allowed_types":["tarck"]})").status().message(),
             Contains("tarck"));
  CHECK_THAT(
      parse_source_patch(R"({"settings":{"rate_limit":null},"rate_limit":{"events_per_second":1}})")
          .status()
          .message(),
      Contains("\"rate_limit\" is given twice"));
}

TEST_CASE("A revoke's grace period is a duration or seconds, at most 90 days", "[admin][sources]") {
  CHECK(*parse_revoke("") == 0ms);
  CHECK(*parse_revoke(R"({"after":"24h"})") == 24h);
  CHECK(*parse_revoke(R"({"after":"30m"})") == 30min);
  CHECK(*parse_revoke(R"({"after":90})") == 90s);
  CHECK(*parse_revoke(R"({})") == 0ms);
  CHECK_FALSE(parse_revoke(R"({"after":"soon"})").is_ok());
  CHECK_FALSE(parse_revoke(R"({"after":-1})").is_ok());
  CHECK_FALSE(parse_revoke(R"({"after":"2400h"})").is_ok());
  CHECK_THAT(parse_revoke(R"({"grace":"1h"})").status().message(),
             Contains("unknown member \"grace\""));
}

}  // namespace
}  // namespace sluice::admin
