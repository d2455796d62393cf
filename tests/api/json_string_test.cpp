#include "api/json_string.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

namespace sluice::api {
namespace {

std::string literal(std::string_view text, InvalidUtf8 invalid) {
  std::string out;
  append_json_string(out, text, invalid);
  return out;
}

// What a strict parser reads back from the literal.
std::string parsed_back(const std::string& literal) {
  simdjson::dom::parser parser;
  std::string_view text;
  REQUIRE(parser.parse(literal).get_string().get(text) == simdjson::SUCCESS);
  return std::string(text);
}

TEST_CASE("append_json_string escapes what JSON requires", "[api]") {
  const auto invalid = GENERATE(InvalidUtf8::kKeep, InvalidUtf8::kReplace);
  SECTION("plain text is only quoted") {
    CHECK(literal("abc", invalid) == R"("abc")");
    CHECK(literal("", invalid) == R"("")");
  }
  SECTION("quote and backslash") {
    CHECK(literal(R"(say "hi" \ bye)", invalid) == R"("say \"hi\" \\ bye")");
  }
  SECTION("newline, carriage return and tab") {
    CHECK(literal("a\nb\rc\td", invalid) == R"("a\nb\rc\td")");
  }
  SECTION("other control characters as \\u escapes; DEL as it is") {
    CHECK(literal(std::string_view("\x01\x1f\x00", 3), invalid) == R"("\u0001\u001f\u0000")");
    CHECK(literal("\x7f", invalid) == "\"\x7f\"");
  }
  SECTION("a strict parser reads back the text") {
    const std::string text("quote \" nul \0 bell \a end", 24);
    CHECK(parsed_back(literal(text, invalid)) == text);
  }
  SECTION("valid UTF-8 of every length passes unchanged") {
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
    CHECK(literal(text, invalid) == "\"" + text + "\"");
  }
  SECTION("appends to what out already holds") {
    std::string out = "x=";
    append_json_string(out, "y", invalid);
    CHECK(out == R"(x="y")");
  }
}

TEST_CASE("append_json_string keeps bytes that are not UTF-8 when asked to", "[api]") {
  CHECK(literal("a\x80z\xFF", InvalidUtf8::kKeep) == "\"a\x80z\xFF\"");
}

TEST_CASE("append_json_string replaces bytes that are not UTF-8 with U+FFFD when asked to",
          "[api]") {
  const std::string replacement = "\xEF\xBF\xBD";
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
      {"above U+10FFFF", "\xF4\x90\x80\x80", replacement + replacement + replacement + replacement},
      {"a byte that never starts a sequence", "\xFF", replacement},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const std::string literal_text = literal(c.input, InvalidUtf8::kReplace);
      CHECK(literal_text == "\"" + c.expected + "\"");
      CHECK(parsed_back(literal_text) == c.expected);
    }
  }
}

}  // namespace
}  // namespace sluice::api
