#include "admin/json_writer.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

namespace sluice::admin {
namespace {

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// What a strict parser reads back from the literal.
std::string parsed_back(const std::string& literal) {
  simdjson::dom::parser parser;
  std::string_view text;
  REQUIRE(parser.parse(literal).get_string().get(text) == simdjson::SUCCESS);
  return std::string(text);
}

}  // namespace

TEST_CASE("JSON strings escape quotes, backslashes and control characters", "[admin]") {
  CHECK(json_string("plain") == R"("plain")");
  CHECK(json_string(R"(say "hi" \ bye)") == R"("say \"hi\" \\ bye")");
  CHECK(json_string("a\nb\rc\td") == R"("a\nb\rc\td")");
  CHECK(json_string(std::string_view("\x00\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
  CHECK(json_string("\x7f") == "\"\x7f\"");
  const std::string text("quote \" nul \0 bell \a end", 24);
  CHECK(parsed_back(json_string(text)) == text);
}

TEST_CASE("JSON strings keep valid UTF-8 and replace invalid bytes with U+FFFD", "[admin]") {
  const std::string replacement = "\xEF\xBF\xBD";
  SECTION("valid sequences of every length pass unchanged") {
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
    CHECK(json_string(text) == "\"" + text + "\"");
  }
  SECTION("invalid sequences") {
    struct Case {
      std::string_view name;
      std::string input;
      std::string expected;
    };
    const Case cases[] = {
        {"a lone continuation byte", "a\x80z", "a" + replacement + "z"},
        {"a truncated sequence at the end", "a\xE2\x82", "a" + replacement + replacement},
        {"a truncated sequence before ASCII", "\xC3z", replacement + "z"},
        {"an overlong form", "\xC0\xAF", replacement + replacement},
        {"an overlong three-byte form", "\xE0\x80\xAF", replacement + replacement + replacement},
        {"a surrogate", "\xED\xA0\x80", replacement + replacement + replacement},
        {"above U+10FFFF", "\xF4\x90\x80\x80",
         replacement + replacement + replacement + replacement},
        {"a byte that never starts a sequence", "\xFF", replacement},
    };
    for (const Case& c : cases) {
      DYNAMIC_SECTION(c.name) {
        const std::string literal = json_string(c.input);
        CHECK(literal == "\"" + c.expected + "\"");
        CHECK(parsed_back(literal) == c.expected);
      }
    }
  }
}

TEST_CASE("JsonWriter places commas and colons between members and elements", "[admin]") {
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

}  // namespace sluice::admin
