#include "api/responses.hpp"

#include <vector>

#include <catch2/catch.hpp>

#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using test::parse_json;

TEST_CASE("error_body carries code and message as valid JSON", "[api]") {
  const std::string message = "bad \"input\" \\ here\n\ttab \x02 end";
  const auto json = parse_json(error_body("invalid_json", message));
  CHECK(json.string_at("/code") == "invalid_json");
  CHECK(json.string_at("/message") == message);
  CHECK(json.size_at("") == 2);
}

TEST_CASE("error_body stays valid JSON when the message quotes bytes that are not UTF-8", "[api]") {
  const auto json = parse_json(error_body("method_not_allowed", "/v1/projects/\x8c\x97k/settings"));
  CHECK(json.string_at("/message") == "/v1/projects/\xef\xbf\xbd\xef\xbf\xbdk/settings");
}

TEST_CASE("success_body reports rejected messages", "[api]") {
  SECTION("nothing rejected: exactly {\"success\":true}") {
    CHECK(success_body() == R"({"success":true})");
  }
  SECTION("each rejection with index, code and message") {
    const std::vector<Rejection> rejected = {
        {3, "event_not_defined", "track needs an event name"},
        {7, "id_not_string", "a \"quoted\" message"},
    };
    const auto json = parse_json(success_body(rejected));
    CHECK(json.at("/success").get_bool().value_unsafe());
    CHECK(json.at("/rejected/0/index").get_uint64().value_unsafe() == 3);
    CHECK(json.string_at("/rejected/0/code") == "event_not_defined");
    CHECK(json.string_at("/rejected/0/message") == "track needs an event name");
    CHECK(json.at("/rejected/1/index").get_uint64().value_unsafe() == 7);
    CHECK(json.string_at("/rejected/1/code") == "id_not_string");
    CHECK(json.string_at("/rejected/1/message") == "a \"quoted\" message");
    CHECK_FALSE(json.has("/rejected/2"));
  }
}

TEST_CASE("success_body reports duplicates beside rejections", "[api]") {
  const std::vector<Rejection> rejected = {{1, "event_not_defined", "track needs an event name"}};
  const std::vector<Duplicate> duplicates = {{0, "m-0"}, {4, "m-\"4\""}};
  SECTION("a batch lists each duplicate with its index and messageId") {
    const auto json = parse_json(success_body(rejected, duplicates));
    CHECK(json.at("/rejected/0/index").get_uint64().value_unsafe() == 1);
    CHECK(json.at("/duplicates/0/index").get_uint64().value_unsafe() == 0);
    CHECK(json.string_at("/duplicates/0/messageId") == "m-0");
    CHECK(json.at("/duplicates/1/index").get_uint64().value_unsafe() == 4);
    CHECK(json.string_at("/duplicates/1/messageId") == "m-\"4\"");
    CHECK_FALSE(json.has("/duplicate"));
  }
  SECTION("a single message says so in a word") {
    CHECK(success_body({}, std::span(duplicates).first(1), true) ==
          R"({"success":true,"duplicate":true})");
  }
}

TEST_CASE("settings_body describes the Segment.io integration for the key", "[api]") {
  SECTION("with a public host: apiHost is host/v1") {
    const auto json = parse_json(settings_body("wk_web", "track.example.com:8443"));
    CHECK(json.string_at("/integrations/Segment.io/apiKey") == "wk_web");
    CHECK(json.string_at("/integrations/Segment.io/apiHost") == "track.example.com:8443/v1");
  }
  SECTION("without a public host: no apiHost") {
    const auto json = parse_json(settings_body("wk_web", ""));
    CHECK(json.string_at("/integrations/Segment.io/apiKey") == "wk_web");
    CHECK_FALSE(json.has("/integrations/Segment.io/apiHost"));
  }
  SECTION("Segment.io is the only integration, and telemetry is off") {
    const auto json = parse_json(settings_body("wk_web", "h"));
    CHECK(json.size_at("/integrations") == 1);
    CHECK(json.at("/metrics/sampleRate").get_int64().value_unsafe() == 0);
    CHECK(json.at("/plan/track/__default/enabled").get_bool().value_unsafe());
  }
  SECTION("a key with characters that need escaping stays valid JSON") {
    const auto json = parse_json(settings_body("k\"\\1", ""));
    CHECK(json.string_at("/integrations/Segment.io/apiKey") == "k\"\\1");
  }
}

}  // namespace
}  // namespace sluice::api
