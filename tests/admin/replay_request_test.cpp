#include "admin/replay_request.hpp"

#include <catch2/catch.hpp>

namespace sluice::admin {
namespace {

using Catch::Contains;
using router::ReplayFrom;

}  // namespace

TEST_CASE("A replay body names exactly one starting point", "[admin]") {
  ReplayRequestParser parser;
  std::string error;
  SECTION("from_sequence") {
    const auto from = parser.parse(R"({"from_sequence": 42})", &error);
    REQUIRE(from.has_value());
    CHECK(from->kind == ReplayFrom::Kind::kSequence);
    CHECK(from->sequence == 42);
  }
  SECTION("from_sequence 0 and the largest sequence") {
    CHECK(parser.parse(R"({"from_sequence":0})", &error)->sequence == 0);
    CHECK(parser.parse(R"({"from_sequence":18446744073709551615})", &error)->sequence ==
          18446744073709551615u);
  }
  SECTION("from_time in ISO-8601, with or without a zone") {
    auto from = parser.parse(R"({"from_time":"2026-11-30T12:00:00Z"})", &error);
    REQUIRE(from.has_value());
    CHECK(from->kind == ReplayFrom::Kind::kTime);
    CHECK(from->time_ms == 1'796'040'000'000);
    from = parser.parse(R"({"from_time":"2026-11-30T13:00:00.250+01:00"})", &error);
    REQUIRE(from.has_value());
    CHECK(from->time_ms == 1'796'040'000'250);
  }
  SECTION("from_time_ms") {
    const auto from = parser.parse(R"( { "from_time_ms" : 1796040000000 } )", &error);
    REQUIRE(from.has_value());
    CHECK(from->kind == ReplayFrom::Kind::kTime);
    CHECK(from->time_ms == 1'796'040'000'000);
  }
  SECTION("the parser is reused across bodies") {
    for (int i = 0; i < 3; ++i) {
      CHECK(parser.parse(R"({"from_sequence":1})", &error).has_value());
      CHECK_FALSE(parser.parse(R"({"from_sequence":"1"})", &error).has_value());
    }
  }
}

TEST_CASE("A replay body that is not exactly one valid starting point is refused", "[admin]") {
  ReplayRequestParser parser;
  std::string error;
  struct Case {
    std::string_view body;
    std::string_view message_part;
  };
  constexpr Case kCases[] = {
      {"", "expected a JSON object"},
      {"{}", "exactly one of"},
      {"[]", "expected a JSON object"},
      {"42", "expected a JSON object"},
      {"not json", "expected a JSON object"},
      {R"({"from_sequence":1,"from_time_ms":2})", R"(only one of "from_sequence" and)"},
      {R"({"from_sequence":1,"from_sequence":2})", R"("from_sequence" is given twice)"},
      {R"({"from_time":"2026-11-30T12:00:00Z","from_sequence":1})", "only one of"},
      {R"({"from_sequence":-1})", "from_sequence: expected an integer >= 0"},
      {R"({"from_sequence":1.5})", "from_sequence: expected an integer >= 0"},
      {R"({"from_sequence":"1"})", "from_sequence: expected an integer >= 0"},
      {R"({"from_sequence":18446744073709551616})", "from_sequence"},
      {R"({"from_time":"yesterday"})", "from_time: expected an ISO-8601 time"},
      {R"({"from_time":"2026-13-01T00:00:00Z"})", "from_time: expected an ISO-8601 time"},
      {R"({"from_time":1796040000000})", "from_time: expected an ISO-8601 time"},
      {R"({"from_time_ms":-5})", "from_time_ms: expected milliseconds"},
      {R"({"from_time_ms":"1796040000000"})", "from_time_ms: expected milliseconds"},
      {R"({"from_seq":1})", R"(unknown member "from_seq")"},
      {R"({"from_sequence":1} x)", "not valid JSON"},
      {R"({"from_sequence":1,})", "not valid JSON"},
      {R"({"from_sequence":1)", "not valid JSON"},
  };
  for (const Case& c : kCases) {
    DYNAMIC_SECTION(c.body) {
      CHECK_FALSE(parser.parse(c.body, &error).has_value());
      CHECK_THAT(error, Contains(std::string(c.message_part)));
    }
  }
}

}  // namespace sluice::admin
