#include "api/pixel.hpp"

#include <catch2/catch.hpp>

#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using test::parse_json;

// {"writeKey":"K","userId":"u1","event":"Email Opened","properties":{"subject":"Hi?>"}}: its
// standard encoding holds '/', its URL-safe one '_'.
constexpr std::string_view kDataJson =
    R"({"writeKey":"K","userId":"u1","event":"Email Opened","properties":{"subject":"Hi?>"}})";
constexpr std::string_view kDataStandard =
    "eyJ3cml0ZUtleSI6IksiLCJ1c2VySWQiOiJ1MSIsImV2ZW50IjoiRW1haWwgT3BlbmVkIiwicHJvcGVydGllcyI6eyJz"
    "dWJqZWN0IjoiSGk/PiJ9fQ==";
constexpr std::string_view kDataUrlSafe =
    "eyJ3cml0ZUtleSI6IksiLCJ1c2VySWQiOiJ1MSIsImV2ZW50IjoiRW1haWwgT3BlbmVkIiwicHJvcGVydGllcyI6eyJz"
    "dWJqZWN0IjoiSGk_PiJ9fQ";

std::string with_data(std::string_view data) {
  return "data=" + std::string(data);
}

// The value of the last member named key at pointer (later members win).
std::string last_string(const test::Json& json, std::string_view pointer, std::string_view key) {
  std::string value;
  for (const auto& [name, element] : json.members_at(pointer)) {
    if (name == key) value = std::string(element.get_string().value_unsafe());
  }
  return value;
}

TEST_CASE("pixel_message_json decodes the data parameter", "[api]") {
  SECTION("standard alphabet with padding") {
    CHECK(pixel_message_json(with_data(kDataStandard)) == kDataJson);
  }
  SECTION("standard alphabet percent-encoded") {
    CHECK(pixel_message_json(
              "data=eyJ3cml0ZUtleSI6IksiLCJ1c2VySWQiOiJ1MSIsImV2ZW50IjoiRW1haWwgT3BlbmVkIiwicHJvc"
              "GVydGllcyI6eyJzdWJqZWN0IjoiSGk%2FPiJ9fQ%3D%3D") == kDataJson);
  }
  SECTION("URL-safe alphabet without padding") {
    CHECK(pixel_message_json(with_data(kDataUrlSafe)) == kDataJson);
  }
  SECTION("a '+' sent as %2B") {
    // {"userId":"u>>>"}
    CHECK(pixel_message_json("data=eyJ1c2VySWQiOiJ1Pj4%2BIn0%3D") == R"({"userId":"u>>>"})");
  }
  SECTION("among other parameters, which are added as flat members") {
    const auto json = parse_json(*pixel_message_json("v=1&" + with_data(kDataUrlSafe) + "&cb=x"));
    CHECK(json.string_at("/userId") == "u1");
    CHECK(json.string_at("/properties/subject") == "Hi?>");
    CHECK(json.string_at("/v") == "1");
    CHECK(json.string_at("/cb") == "x");
  }
  SECTION("data that is not base64") {
    CHECK_FALSE(pixel_message_json("data=%%%not*base64").has_value());
  }
}

TEST_CASE("pixel_message_json builds a message from flat dotted parameters", "[api]") {
  SECTION("top-level and nested values, percent-decoded") {
    const auto text =
        pixel_message_json("userId=u1&event=Email%20Opened&properties.subject=Hi+there&writeKey=K");
    REQUIRE(text.has_value());
    const auto json = parse_json(*text);
    CHECK(json.string_at("/userId") == "u1");
    CHECK(json.string_at("/event") == "Email Opened");
    CHECK(json.string_at("/properties/subject") == "Hi there");
    CHECK(json.string_at("/writeKey") == "K");
    CHECK(json.size_at("") == 4);
  }
  SECTION("several levels deep, siblings share their parent") {
    const auto json = parse_json(
        *pixel_message_json("context.campaign.name=spring&context.campaign.source=mail&userId=u"));
    CHECK(json.string_at("/context/campaign/name") == "spring");
    CHECK(json.string_at("/context/campaign/source") == "mail");
    CHECK(json.size_at("/context") == 1);
  }
  SECTION("values are strings, escaped as JSON") {
    const auto json = parse_json(*pixel_message_json("properties.n=42&properties.q=a%22b%5Cc"));
    CHECK(json.string_at("/properties/n") == "42");
    CHECK(json.string_at("/properties/q") == "a\"b\\c");
  }
  SECTION("bytes that are not UTF-8 are kept as sent") {
    CHECK(pixel_message_json("userId=u%FF") == "{\"userId\":\"u\xFF\"}");
  }
  SECTION("percent-encoded names") {
    const auto json = parse_json(*pixel_message_json("properties.email%5Fid=7"));
    CHECK(json.string_at("/properties/email_id") == "7");
  }
  SECTION("names starting or ending with a dot, and empty pairs, are skipped") {
    CHECK(pixel_message_json(".a=1&b.=2&&") == "{}");
  }
  SECTION("no parameters at all") {
    CHECK(pixel_message_json("") == "{}");
  }
}

TEST_CASE("pixel_message_json refuses flat paths 32 or more levels deep", "[api]") {
  const auto path = [](int dots) {
    std::string key = "properties";
    for (int n = 0; n < dots; ++n) key += ".k";
    return key + "=v&userId=u";
  };
  CHECK(pixel_message_json(path(31)).has_value());
  CHECK_FALSE(pixel_message_json(path(32)).has_value());
  CHECK_FALSE(pixel_message_json("lia*" + std::string(2000, '.') + "s=v").has_value());
}

TEST_CASE("pixel_message_json applies flat parameters after data", "[api]") {
  const auto text = pixel_message_json(with_data(kDataUrlSafe) + "&userId=u2&context.ip=1.2.3.4");
  REQUIRE(text.has_value());
  const auto json = parse_json(*text);
  SECTION("data members come first and are kept") {
    CHECK(json.string_at("/writeKey") == "K");
    CHECK(json.string_at("/event") == "Email Opened");
    CHECK(json.string_at("/properties/subject") == "Hi?>");
  }
  SECTION("a flat parameter comes after the data member of the same name") {
    CHECK(last_string(json, "", "userId") == "u2");
  }
  SECTION("new flat members are added") {
    CHECK(json.string_at("/context/ip") == "1.2.3.4");
  }
}

TEST_CASE("transparent_gif is the 43-byte GIF of the spec", "[api]") {
  const std::string_view gif = transparent_gif();
  REQUIRE(gif.size() == 43);
  CHECK(gif.substr(0, 6) == "GIF89a");
  CHECK(gif.back() == ';');
  // The hex text of docs/protocol.md §8.
  constexpr std::string_view kHex =
      "4749463839610100010080000000000000000021f90401000000002c00000000010001000002024401003b";
  std::string expected;
  for (std::size_t i = 0; i < kHex.size(); i += 2) {
    expected.push_back(static_cast<char>(std::stoi(std::string(kHex.substr(i, 2)), nullptr, 16)));
  }
  CHECK(gif == expected);
}

}  // namespace
}  // namespace sluice::api
