#include "inbound/click_links.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <simdjson.h>

namespace sluice::inbound {
namespace {

constexpr std::string_view kSecret = "link-secret-for-tests";
constexpr std::string_view kTarget = "https://shop.example.com/sale?ref=mail&x=1";

// The query of a link made by signed_click_link.
std::string signed_query(
    std::string_view data = R"({"userId":"u1","properties":{"email_id":"m7"}})",
    std::string_view target = kTarget, std::string_view secret = kSecret) {
  std::string error;
  const auto link = signed_click_link("https://t.example.com", "wk_1", secret, data, target, error);
  REQUIRE(link);
  const auto question = link->find('?');
  REQUIRE(link->substr(0, question) == "https://t.example.com/v1/email/click");
  return link->substr(question + 1);
}

std::string replace_parameter(std::string query, std::string_view name, std::string_view value) {
  const std::string prefix = std::string(name) + "=";
  auto at = query.starts_with(prefix) ? 0 : query.find("&" + prefix);
  REQUIRE(at != std::string::npos);
  if (at != 0) ++at;
  const auto end = query.find('&', at);
  query.replace(at + prefix.size(),
                (end == std::string::npos ? query.size() : end) - at - prefix.size(), value);
  return query;
}

}  // namespace

TEST_CASE("a signed link reads back with its data and target", "[inbound][clicks]") {
  const ClickParse parse = parse_click_query(signed_query());
  REQUIRE(parse.request);
  CHECK(parse.request->write_key == "wk_1");
  CHECK(parse.request->user_id == "u1");
  CHECK(parse.request->target == kTarget);
  CHECK(click_signature_valid(*parse.request, kSecret));
}

TEST_CASE("a click link is refused when any part of it changed", "[inbound][clicks]") {
  const std::string query = signed_query();
  SECTION("another target") {
    const auto parse =
        parse_click_query(replace_parameter(query, "u", "https%3A%2F%2Fevil.example.net%2F"));
    REQUIRE(parse.request);
    CHECK_FALSE(click_signature_valid(*parse.request, kSecret));
  }
  SECTION("other data") {
    const std::string other = signed_query(R"({"userId":"someone-else"})");
    const auto data = other.substr(2, other.find('&') - 2);
    const auto parse = parse_click_query(replace_parameter(query, "d", data));
    REQUIRE(parse.request);
    CHECK(parse.request->user_id == "someone-else");
    CHECK_FALSE(click_signature_valid(*parse.request, kSecret));
  }
  SECTION("another secret") {
    const auto parse = parse_click_query(query);
    REQUIRE(parse.request);
    CHECK_FALSE(click_signature_valid(*parse.request, "another-secret"));
    CHECK_FALSE(click_signature_valid(*parse.request, ""));
  }
  SECTION("no signature") {
    const auto parse = parse_click_query(query.substr(0, query.find("&s=")));
    CHECK_FALSE(parse.request);
    CHECK(parse.error.find("d, u and s") != std::string::npos);
  }
}

TEST_CASE("click data must be base64 of an object with a key and a user", "[inbound][clicks]") {
  CHECK(parse_click_query("d=%%%&u=https%3A%2F%2Fa.example&s=x").error == "d is not base64 text");
  // {"userId":"u1"}: no writeKey.
  CHECK(parse_click_query("d=eyJ1c2VySWQiOiJ1MSJ9&u=https%3A%2F%2Fa.example&s=x").error ==
        "d has no writeKey");
  // {"writeKey":"k"}: nobody to attribute the click to.
  CHECK(parse_click_query("d=eyJ3cml0ZUtleSI6ImsifQ&u=https%3A%2F%2Fa.example&s=x").error ==
        "d has neither userId nor anonymousId");
}

TEST_CASE("only absolute http and https targets with a host are followed", "[inbound][clicks]") {
  CHECK_FALSE(check_click_target("https://shop.example.com/a?b=c"));
  CHECK_FALSE(check_click_target("http://shop.example.com"));
  CHECK_FALSE(check_click_target("https://user@shop.example.com:8443/x"));
  CHECK(check_click_target("javascript:alert(1)"));
  CHECK(check_click_target("//evil.example.net/"));
  CHECK(check_click_target("/relative/path"));
  CHECK(check_click_target("https://"));
  CHECK(check_click_target("https:///path"));
  CHECK(check_click_target("https://user@/x"));
  CHECK(check_click_target("https://a.example.com/\nLocation: x"));
  CHECK(check_click_target("https://a.example.com\\@evil.example.net"));
  CHECK(check_click_target("ftp://files.example.com/"));
}

TEST_CASE("signing refuses a target the endpoint would refuse", "[inbound][clicks]") {
  std::string error;
  CHECK_FALSE(signed_click_link("https://t.example.com", "k", kSecret, R"({"userId":"u"})",
                                "javascript:alert(1)", error));
  CHECK(error.find("http://") != std::string::npos);
  CHECK_FALSE(signed_click_link("https://t.example.com", "k", kSecret, R"({"properties":{}})",
                                "https://a.example.com", error));
  CHECK(error == "--data: d has neither userId nor anonymousId");
}

TEST_CASE("a click becomes Email Link Clicked with link_url set to the target",
          "[inbound][clicks]") {
  const auto parse = parse_click_query(
      signed_query(R"({"anonymousId":"a-1","properties":{"email_id":"m7","link_url":"x"}})"));
  REQUIRE(parse.request);
  const std::string json = click_message_json(*parse.request);
  simdjson::dom::parser parser;
  simdjson::dom::element message;
  REQUIRE(parser.parse(json).get(message) == simdjson::SUCCESS);
  CHECK(message["type"].get_string().value() == "track");
  CHECK(message["event"].get_string().value() == "Email Link Clicked");
  CHECK(message["anonymousId"].get_string().value() == "a-1");
  CHECK(message["properties"]["email_id"].get_string().value() == "m7");
  CHECK(message["properties"]["link_url"].get_string().value() == kTarget);
  // The signed link_url is dropped rather than repeated: a message names a member once.
  CHECK(json.find("\"link_url\":\"x\"") == std::string::npos);
}

TEST_CASE("percent-encoding leaves only unreserved characters", "[inbound][clicks]") {
  CHECK(percent_encode("https://a.example/x?y=1&z=a b") ==
        "https%3A%2F%2Fa.example%2Fx%3Fy%3D1%26z%3Da%20b");
  CHECK(percent_encode("AZaz09-_.~") == "AZaz09-_.~");
}

}  // namespace sluice::inbound
