#include "api/json_writer.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

namespace sluice::api {

TEST_CASE("JsonWriter escapes keys and strings and replaces bytes that are not UTF-8", "[api]") {
  JsonWriter out;
  out.begin_object();
  out.key("k\"\x80");
  out.string("a\nb \xC3\xA9 \xFF");
  out.end_object();
  const std::string json = out.take();
  CHECK(json == "{\"k\\\"\xEF\xBF\xBD\":\"a\\nb \xC3\xA9 \xEF\xBF\xBD\"}");
  simdjson::dom::parser parser;
  std::string_view value;
  REQUIRE(parser.parse(json)["k\"\xEF\xBF\xBD"].get_string().get(value) == simdjson::SUCCESS);
  CHECK(value == "a\nb \xC3\xA9 \xEF\xBF\xBD");
}

TEST_CASE("JsonWriter places commas and colons between members and elements", "[api]") {
  JsonWriter out;
  out.begin_object();
  out.key("a");
  out.number(std::uint64_t{18446744073709551615u});
  out.key("b");
  out.begin_array();
  out.number(-1);
  out.null();
  out.string("x");
  out.begin_object();
  out.end_object();
  out.begin_array();
  out.end_array();
  out.raw(R"({"k":[1, 2]})");
  out.end_array();
  out.key("c\"");
  out.begin_object();
  out.key("d");
  out.null();
  out.end_object();
  out.end_object();
  CHECK(out.take() ==
        R"({"a":18446744073709551615,"b":[-1,null,"x",{},[],{"k":[1, 2]}],"c\"":{"d":null}})");
}

}  // namespace sluice::api
