// [admin]: the admin API's listener and token, from the file and from the environment.

#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;
using Catch::Equals;
using test::all_errors;

constexpr const char* kOrigin = "admin.toml";
constexpr std::string_view kToken = "0123456789abcdef0123";

// Appended after the text under test, so that its line numbers start at 1.
constexpr std::string_view kOneSource = R"(
[[sources]]
name = "web"
write_keys = ["k1"]
)";

LoadResult load(std::string_view text, const Environment& env = {}) {
  return load_string(std::string(text) + std::string(kOneSource), kOrigin, env);
}

Config loaded(std::string_view text, const Environment& env = {}) {
  return test::require_loaded(load(text, env));
}

ConfigError only_error(std::string_view text, const Environment& env = {}) {
  return test::require_one_error(load(text, env));
}

// An [admin] table with `listen` on line 2 and, when token is not empty, `token` on line 3.
std::string admin_table(std::string_view listen, std::string_view token = kToken) {
  std::string text = "[admin]\nlisten = \"" + std::string(listen) + "\"\n";
  if (!token.empty()) text += "token = \"" + std::string(token) + "\"\n";
  return text;
}

}  // namespace

TEST_CASE("The admin API is off without [admin]", "[config]") {
  SECTION("no table") {
    CHECK_FALSE(loaded("").admin.enabled);
  }
  SECTION("the embedded default") {
    const LoadResult result =
        load_string(embedded_default_toml(), "<embedded default>", Environment{});
    INFO(all_errors(result));
    REQUIRE(result.config.has_value());
    CHECK_FALSE(result.config->admin.enabled);
  }
  SECTION("an empty table") {
    CHECK_FALSE(loaded("[admin]\n").admin.enabled);
  }
}

TEST_CASE("admin.listen turns the admin API on", "[config]") {
  SECTION("IPv4") {
    const Config config = loaded(admin_table("127.0.0.1:9090"));
    CHECK(config.admin.enabled);
    CHECK(config.admin.listen_host == "127.0.0.1");
    CHECK(config.admin.listen_port == 9090);
    CHECK(config.admin.token == kToken);
  }
  SECTION("bracketed IPv6") {
    const Config config = loaded(admin_table("[::1]:9191"));
    CHECK(config.admin.listen_host == "::1");
    CHECK(config.admin.listen_port == 9191);
  }
  SECTION("port 0") {
    CHECK(loaded(admin_table("localhost:0")).admin.listen_port == 0);
  }
  SECTION("malformed") {
    for (std::string_view bad : {"9090", "localhost:", "::1:9090", "host:70000"}) {
      INFO(bad);
      const ConfigError error = only_error(admin_table(bad));
      CHECK(error.line == 2);
      CHECK_THAT(error.message, Contains(R"(admin.listen: expected "host:port")"));
    }
  }
  SECTION("the same address as server.listen") {
    const ConfigError error =
        only_error("[server]\nlisten = \"127.0.0.1:8080\"\n" + admin_table("127.0.0.1:8080"));
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Contains("admin.listen must differ from server.listen"));
  }
}

TEST_CASE("admin.token is required with admin.listen and must be long enough", "[config]") {
  SECTION("missing") {
    const ConfigError error = only_error(admin_table("127.0.0.1:9090", ""));
    CHECK(error.line == 2);
    CHECK_THAT(error.message, Contains("admin.token is required when admin.listen is set"));
  }
  SECTION("too short, reported without its value") {
    const ConfigError error = only_error(admin_table("127.0.0.1:9090", "secret-15-chars"));
    CHECK(error.line == 3);
    CHECK_THAT(error.message,
               Equals("admin.token: must be at least 16 characters long, got 15 (generate one "
                      "with: openssl rand -hex 32)"));
  }
  SECTION("exactly 16 characters") {
    CHECK(loaded(admin_table("127.0.0.1:9090", "0123456789abcdef")).admin.enabled);
  }
  SECTION("empty") {
    const ConfigError error = only_error("[admin]\nlisten = \"127.0.0.1:9090\"\ntoken = \"\"\n");
    CHECK(error.line == 3);
    CHECK_THAT(error.message, Contains("admin.token: expected a non-empty string"));
  }
  SECTION("not a string") {
    const ConfigError error = only_error("[admin]\nlisten = \"127.0.0.1:9090\"\ntoken = 12\n");
    CHECK(error.line == 3);
    CHECK_THAT(error.message, Contains("admin.token: expected a non-empty string"));
  }
  SECTION("a token without listen") {
    const ConfigError error = only_error("[admin]\ntoken = \"" + std::string(kToken) + "\"\n");
    CHECK(error.line == 2);
    CHECK_THAT(error.message, Contains("admin.token is set but admin.listen is not"));
  }
  SECTION("an unknown key") {
    const ConfigError error = only_error(admin_table("127.0.0.1:9090") + "tokn = \"x\"\n");
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Contains(R"(unknown key "tokn" in [admin]; did you mean "token"?)"));
  }
}

TEST_CASE("SLUICE_ADMIN_* variables override [admin]", "[config]") {
  SECTION("the token from the environment, listen from the file") {
    const Config config = loaded("[admin]\nlisten = \"127.0.0.1:9090\"\n",
                                 {{"SLUICE_ADMIN_TOKEN", std::string(kToken)}});
    CHECK(config.admin.enabled);
    CHECK(config.admin.token == kToken);
  }
  SECTION("both from the environment, without a table") {
    const Config config = loaded(
        "", {{"SLUICE_ADMIN_LISTEN", "0.0.0.0:9999"}, {"SLUICE_ADMIN_TOKEN", std::string(kToken)}});
    CHECK(config.admin.enabled);
    CHECK(config.admin.listen_host == "0.0.0.0");
    CHECK(config.admin.listen_port == 9999);
  }
  SECTION("a token that would parse as a number is kept as text") {
    const Config config = loaded("", {{"SLUICE_ADMIN_LISTEN", "127.0.0.1:9090"},
                                      {"SLUICE_ADMIN_TOKEN", "12345678901234567890"}});
    CHECK(config.admin.token == "12345678901234567890");
  }
  SECTION("the environment replaces the file's token") {
    const Config config = loaded(admin_table("127.0.0.1:9090", "file-token-file-token"),
                                 {{"SLUICE_ADMIN_TOKEN", std::string(kToken)}});
    CHECK(config.admin.token == kToken);
  }
  SECTION("a short token from the environment names the variable") {
    const ConfigError error = only_error(
        "", {{"SLUICE_ADMIN_LISTEN", "127.0.0.1:9090"}, {"SLUICE_ADMIN_TOKEN", "short"}});
    CHECK(error.origin == "environment variable SLUICE_ADMIN_TOKEN");
    CHECK_THAT(error.message, Contains("got 5"));
    CHECK_THAT(error.message, !Contains("short"));
  }
  SECTION("listen from the environment still needs a token") {
    const ConfigError error = only_error("", {{"SLUICE_ADMIN_LISTEN", "127.0.0.1:9090"}});
    CHECK(error.origin == "environment variable SLUICE_ADMIN_LISTEN");
    CHECK_THAT(error.message, Contains("admin.token is required"));
  }
  SECTION("a variable that names no setting") {
    const ConfigError error = only_error("", {{"SLUICE_ADMIN_TOKN", "x"}});
    CHECK(error.origin == "environment variable SLUICE_ADMIN_TOKN");
    CHECK_THAT(error.message, Contains("did you mean \"SLUICE_ADMIN_TOKEN\""));
  }
}

}  // namespace sluice::config
