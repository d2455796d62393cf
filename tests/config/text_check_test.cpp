#include "config/text_check.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"

namespace sluice::config {
namespace {

std::string problem(std::string_view text) {
  const auto error = check_config_text(text, "test.toml");
  return error ? error->to_string() : "";
}

TEST_CASE("Config text: what TOML allows passes the byte check", "[config]") {
  CHECK(problem("[server]\nlisten = \"127.0.0.1:8080\"\n") == "");
  CHECK(problem("name = \"caf\xc3\xa9\" # na\xc3\xafve comment\n") == "");
  CHECK(problem("a = 'ƥ'\nb = \"\"\"line\n\xe2\x80\xa8\"\"\"\nc = '''ƥ\n'''\n") == "");
  CHECK(problem("a = \"escaped \\\" quote ƥ\"\n") == "");
  CHECK(problem("[\"quoted key ƥ\"]\n") == "");
}

TEST_CASE("Config text: NUL, invalid UTF-8 and non-ASCII bare text are refused with where",
          "[config]") {
  CHECK(problem(std::string("[\0", 2)) == "test.toml:1:2: NUL byte in the config file");
  CHECK(problem("a = \"\xff\"\n") == "test.toml:1:6: the config file is not valid UTF-8");
  CHECK(problem("# \xc0\xaf overlong\n") == "test.toml:1:3: the config file is not valid UTF-8");
  CHECK(problem("a = \"\xed\xa0\x80\"") == "test.toml:1:6: the config file is not valid UTF-8");
  CHECK(problem("\xc6\xa5") == "test.toml:1:1: non-ASCII character outside a string or a comment");
  CHECK(problem("[server]\nthreads = 2\n[\xc6\xa5]\n") ==
        "test.toml:3:2: non-ASCII character outside a string or a comment");
  CHECK(problem("a = \"ok\" b = ƥ") ==
        "test.toml:1:14: non-ASCII character outside a string or a comment");
}

TEST_CASE("A config with bytes toml++ cannot take is refused, not parsed", "[config]") {
  // toml++ 3.3 asserts on the first and reaches undefined behaviour on the second.
  for (const std::string& text :
       {std::string("[\0", 2), std::string("\xc6\xa5"), std::string("a = \xc6\xa5")}) {
    const LoadResult result = load_string(text, "bad.toml", Environment{});
    CHECK_FALSE(result.config.has_value());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].origin == "bad.toml");
  }
}

}  // namespace
}  // namespace sluice::config
