#include "inbound/provider_json.hpp"

#include <catch2/catch.hpp>

namespace sluice::inbound {
namespace {

std::int64_t time_in(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  REQUIRE(parser.parse(json.data(), json.size()).get_object().get(object) == simdjson::SUCCESS);
  return time_member_ms(object, "t");
}

}  // namespace

TEST_CASE("times are read as providers write them", "[inbound]") {
  CHECK(time_in(R"({"t":1700000000})") == 1'700'000'000'000);
  CHECK(time_in(R"({"t":1700000000.25})") == 1'700'000'000'250);
  CHECK(time_in(R"({"t":"1700000000"})") == 1'700'000'000'000);
  CHECK(time_in(R"({"t":"1700000000.5"})") == 1'700'000'000'500);
  CHECK(time_in(R"({"t":"2023-11-14T22:13:20.1234567Z"})") == 1'700'000'000'123);
  // Milliseconds, which no count of seconds reaches before the year 5000.
  CHECK(time_in(R"({"t":1700000000123})") == 1'700'000'000'123);
  CHECK(time_in(R"({"t":0})") == 0);
  CHECK(time_in(R"({"t":-5})") == 0);
  CHECK(time_in(R"({"t":1e300})") == 0);
  CHECK(time_in(R"({"t":"yesterday"})") == 0);
  CHECK(time_in(R"({"t":null})") == 0);
  CHECK(time_in(R"({})") == 0);
}

TEST_CASE("text members take strings and the text of numbers", "[inbound]") {
  const std::string json = R"({"s":"a","n":42,"b":true,"o":{},"z":null})";
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  REQUIRE(parser.parse(json).get_object().get(object) == simdjson::SUCCESS);
  CHECK(text_member(object, "s") == "a");
  CHECK(text_member(object, "n") == "42");
  CHECK(text_member(object, "b") == "true");
  CHECK(text_member(object, "o").empty());
  CHECK(text_member(object, "z").empty());
  CHECK(text_member(object, "missing").empty());
}

}  // namespace sluice::inbound
