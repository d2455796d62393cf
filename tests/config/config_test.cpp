#include "config/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;
using Catch::Equals;
using test::all_errors;
using namespace std::chrono_literals;

constexpr const char* kOrigin = "test.toml";

// Appended after the text under test, so that its line numbers start at 1.
constexpr std::string_view kOneSource = R"(
[[sources]]
name = "web"
write_keys = ["k1"]
)";

LoadResult load(std::string_view text, const Environment& env = {}) {
  return load_string(text, kOrigin, env);
}

LoadResult load_with_source(std::string_view text, const Environment& env = {}) {
  return load(std::string(text) + std::string(kOneSource), env);
}

Config loaded(const LoadResult& result) {
  return test::require_loaded(result);
}

ConfigError only_error(const LoadResult& result) {
  return test::require_one_error(result);
}

// The single error of loading text plus a valid source, checked for its line and key.
void check_error_at(std::string_view text, int line, std::string_view message_part) {
  const ConfigError error = only_error(load_with_source(text));
  CHECK(error.origin == kOrigin);
  CHECK(error.line == line);
  CHECK_THAT(error.message, Contains(std::string(message_part)));
}

}  // namespace

TEST_CASE("The embedded default loads without errors and matches the struct defaults", "[config]") {
  const Config config =
      loaded(load_string(embedded_default_toml(), "<embedded default>", Environment{}));
  const Config defaults;

  CHECK(config.server.listen_host == "127.0.0.1");
  CHECK(config.server.listen_port == 8080);
  CHECK(config.server.threads == defaults.server.threads);
  CHECK(config.server.max_request_bytes == 614400);
  CHECK(config.server.max_message_bytes == 32768);
  CHECK(config.server.max_batch_events == 2500);
  CHECK(config.server.trust_forwarded_for == false);
  CHECK(config.server.cors_allowed_origins == std::vector<std::string>{"*"});
  CHECK(config.server.public_host.empty());
  CHECK(config.server.header_timeout == 10s);
  CHECK(config.server.body_timeout == 30s);
  CHECK(config.server.idle_timeout == 75s);
  CHECK(config.server.max_connections == 20'000);
  CHECK(config.server.retry_after == 5s);
  CHECK(config.storage.path == "./data/log");
  CHECK(config.storage.durability == Durability::kFsync);
  CHECK(config.storage.max_backlog_bytes == defaults.storage.max_backlog_bytes);
  CHECK(config.storage.max_pending_bytes == defaults.storage.max_pending_bytes);
  CHECK(config.log.level == "info");
  REQUIRE(config.sources.size() == 1);
  CHECK(config.sources[0].name == "website");
  CHECK(config.sources[0].write_keys == std::vector<std::string>{"dev_write_key"});
}

TEST_CASE("Absent sections and keys keep their defaults", "[config]") {
  const Config config = loaded(load(kOneSource));
  const Config defaults;
  CHECK(config.server.listen_port == defaults.server.listen_port);
  CHECK(config.server.idle_timeout == defaults.server.idle_timeout);
  CHECK(config.storage.path == defaults.storage.path);
  CHECK(config.log.level == defaults.log.level);
}

TEST_CASE("An unknown key or section is reported where it is written", "[config]") {
  SECTION("a key in [server], with a suggestion") {
    const ConfigError error =
        only_error(load_with_source("[server]\nthreads = 2\nlistn = \"x\"\n"));
    CHECK(error.to_string() ==
          R"(test.toml:3:1: unknown key "listn" in [server]; did you mean "listen"?)");
  }
  SECTION("a key in [storage]") {
    check_error_at("[storage]\npath = \"d\"\n\ncompression = \"zstd\"\n", 4,
                   R"(unknown key "compression" in [storage])");
  }
  SECTION("a key in [[sources]]") {
    const ConfigError error =
        only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = [\"k\"]\nwritekey = \"k2\"\n"));
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Contains(R"(unknown key "writekey" in [[sources]])"));
  }
  SECTION("a section") {
    const ConfigError error = only_error(load_with_source("[serverx]\nlisten = \"a:1\"\n"));
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Equals(R"(unknown section [serverx]; did you mean "server"?)"));
  }
  SECTION("a sub-table of a section") {
    check_error_at("[server]\nthreads = 1\n[server.ssl]\ncert = \"c\"\n", 3,
                   R"(unknown key "ssl" in [server])");
  }
  SECTION("a key outside any section") {
    check_error_at("listen = \"0.0.0.0:1\"\n", 1, R"(unknown key "listen" in the top level)");
  }
}

TEST_CASE("A value of the wrong type names the key and what was found", "[config]") {
  SECTION("a string for an integer") {
    const ConfigError error =
        only_error(load_with_source("[server]\nlisten = \"127.0.0.1:8080\"\nthreads = \"four\"\n"));
    CHECK(error.to_string() ==
          R"(test.toml:3:11: server.threads: expected an integer >= 0, got string "four")");
  }
  SECTION("a string for a boolean") {
    check_error_at("[server]\ntrust_forwarded_for = \"yes\"\n", 2,
                   R"(server.trust_forwarded_for: expected true or false, got string "yes")");
  }
  SECTION("a float for an integer") {
    check_error_at("[server]\nmax_batch_events = 1.5\n", 2,
                   "server.max_batch_events: expected an integer >= 1, got float 1.5");
  }
  SECTION("one element of a string array") {
    const ConfigError error =
        only_error(load_with_source("[server]\ncors_allowed_origins = [\"a\", 3]\n"));
    CHECK(error.line == 2);
    CHECK(error.column == 30);
    CHECK_THAT(error.message,
               Contains("server.cors_allowed_origins[1]: expected a string, got integer 3"));
  }
  SECTION("a value where a section belongs") {
    check_error_at("server = 1\n", 1, "server: expected a table [server], got integer 1");
  }
  SECTION("a table for [[sources]]") {
    const ConfigError error = only_error(load("[sources]\nname = \"a\"\n"));
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Contains("sources: expected an array of tables [[sources]]"));
  }
}

TEST_CASE("A value outside its allowed range is refused", "[config]") {
  SECTION("negative threads") {
    check_error_at("[server]\nthreads = -1\n", 2, "server.threads: expected an integer >= 0");
  }
  SECTION("too many threads") {
    check_error_at("[server]\nthreads = 5000\n", 2, "server.threads: expected an integer <= 1024");
  }
  SECTION("zero batch events") {
    check_error_at("[server]\nmax_batch_events = 0\n", 2, "server.max_batch_events");
  }
  SECTION("zero connections") {
    check_error_at("[server]\nmax_connections = 0\n", 2, "server.max_connections");
  }
  SECTION("a zero timeout") {
    check_error_at("[server]\nbody_timeout = \"0s\"\n", 2,
                   "server.body_timeout: expected a duration");
  }
  SECTION("a malformed timeout") {
    check_error_at("[server]\nidle_timeout = \"75 seconds\"\n", 2, "server.idle_timeout");
  }
  SECTION("a timeout over a day") {
    check_error_at("[server]\nheader_timeout = \"25h\"\n", 2, "server.header_timeout");
  }
  SECTION("retry_after in fractions of a second") {
    check_error_at("[server]\nretry_after = \"1500ms\"\n", 2,
                   "server.retry_after: expected whole seconds");
  }
  SECTION("an unknown log level") {
    check_error_at(
        "[log]\nlevel = \"verbose\"\n", 2,
        R"(log.level: expected one of trace, debug, info, warn, error, critical, off, got string "verbose")");
  }
  SECTION("an empty storage path") {
    check_error_at("[storage]\npath = \"\"\n", 2, "storage.path: expected a non-empty string");
  }
}

TEST_CASE("Timeouts accept duration strings and integer seconds", "[config]") {
  const Config config = loaded(load_with_source(
      "[server]\nheader_timeout = \"200ms\"\nbody_timeout = 45\nidle_timeout = \"5m\"\n"
      "retry_after = \"1m\"\n"));
  CHECK(config.server.header_timeout == 200ms);
  CHECK(config.server.body_timeout == 45s);
  CHECK(config.server.idle_timeout == 5min);
  CHECK(config.server.retry_after == 60s);
}

TEST_CASE("storage.durability is fsync or wal", "[config]") {
  SECTION("wal") {
    CHECK(loaded(load_with_source("[storage]\ndurability = \"wal\"\n")).storage.durability ==
          Durability::kWal);
  }
  SECTION("fsync") {
    CHECK(loaded(load_with_source("[storage]\ndurability = \"fsync\"\n")).storage.durability ==
          Durability::kFsync);
  }
  SECTION("anything else") {
    const ConfigError error =
        only_error(load_with_source("[storage]\npath = \"d\"\ndurability = \"sync\"\n"));
    CHECK(error.to_string() ==
          R"(test.toml:3:14: storage.durability: expected "fsync" or "wal", got string "sync")");
  }
}

TEST_CASE("storage.dedup_window is a week unless set, and zero turns dedup off", "[config]") {
  const Config defaults = loaded(load_with_source(""));
  CHECK(defaults.storage.dedup_window == 168h);
  CHECK(defaults.storage.dedup_cache_bytes == 64ull << 20);
  const Config set =
      loaded(load_with_source("[storage]\ndedup_window = \"36h\"\ndedup_cache = \"256MiB\"\n"));
  CHECK(set.storage.dedup_window == 36h);
  CHECK(set.storage.dedup_cache_bytes == 256ull << 20);
  CHECK(loaded(load_with_source("[storage]\ndedup_window = \"0s\"\n")).storage.dedup_window == 0ms);
  const ConfigError error = only_error(load_with_source("[storage]\ndedup_window = \"-1d\"\n"));
  CHECK_THAT(error.to_string(), Catch::Contains("storage.dedup_window: expected a duration >= 0"));
}

TEST_CASE("storage.retention takes days, zero, and nothing longer than ten years", "[config]") {
  CHECK(loaded(load_with_source("")).storage.retention == 0ms);
  CHECK(loaded(load_with_source("[storage]\nretention = \"7d\"\n")).storage.retention == 168h);
  CHECK(loaded(load_with_source("[storage]\nretention = 172800\n")).storage.retention == 48h);
  CHECK(loaded(load_with_source("[storage]\nretention = \"0s\"\n")).storage.retention == 0ms);
  const ConfigError error = only_error(load_with_source("[storage]\nretention = \"3651d\"\n"));
  CHECK_THAT(error.to_string(), Catch::Contains("storage.retention: expected a duration >= 0"));
}

TEST_CASE("Byte limits accept size strings and integers", "[config]") {
  SECTION("decimal, binary and plain") {
    const Config config = loaded(load_with_source(
        "[server]\nmax_request_bytes = \"600KB\"\nmax_message_bytes = 4096\n"
        "[storage]\nmax_backlog_bytes = \"2GiB\"\nmax_pending_bytes = \"512KiB\"\n"));
    CHECK(config.server.max_request_bytes == 600'000);
    CHECK(config.server.max_message_bytes == 4096);
    CHECK(config.storage.max_backlog_bytes == 2ull << 30);
    CHECK(config.storage.max_pending_bytes == 512ull << 10);
  }
  SECTION("a malformed size") {
    check_error_at("[storage]\nmax_backlog_bytes = \"10 GiBs\"\n", 2,
                   R"(storage.max_backlog_bytes: expected a size > 0 such as "600KiB")");
  }
  SECTION("a negative integer") {
    check_error_at("[storage]\nmax_pending_bytes = -5\n", 2, "storage.max_pending_bytes");
  }
  SECTION("zero") {
    check_error_at("[server]\nmax_request_bytes = 0\n", 2, "server.max_request_bytes");
  }
  SECTION("a message limit above the request limit") {
    check_error_at("[server]\nmax_request_bytes = \"1KiB\"\nmax_message_bytes = \"2KiB\"\n", 3,
                   "server.max_message_bytes (2048) must be <= server.max_request_bytes (1024)");
  }
}

TEST_CASE("server.listen is split into host and port", "[config]") {
  auto listen = [](std::string_view value) {
    return load_with_source("[server]\nlisten = \"" + std::string(value) + "\"\n");
  };
  SECTION("IPv4") {
    const Config config = loaded(listen("0.0.0.0:9000"));
    CHECK(config.server.listen_host == "0.0.0.0");
    CHECK(config.server.listen_port == 9000);
  }
  SECTION("host name and port 0") {
    const Config config = loaded(listen("localhost:0"));
    CHECK(config.server.listen_host == "localhost");
    CHECK(config.server.listen_port == 0);
  }
  SECTION("bracketed IPv6") {
    const Config config = loaded(listen("[::1]:65535"));
    CHECK(config.server.listen_host == "::1");
    CHECK(config.server.listen_port == 65535);
  }
  SECTION("malformed") {
    for (std::string_view bad :
         {"localhost", "localhost:", ":8080", "host:65536", "host:80a", "::1:8080", "[::1]8080",
          "[::1:8080", "bad_host:80", "a..b:80", "-a:80", "[]:80"}) {
      INFO(bad);
      const ConfigError error = only_error(listen(bad));
      CHECK(error.line == 2);
      CHECK_THAT(error.message, Contains(R"(server.listen: expected "host:port")"));
    }
  }
}

TEST_CASE("Source names and write keys are unique", "[config]") {
  SECTION("a write key in two sources") {
    const ConfigError error =
        only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = [\"k1\", \"k2\"]\n\n"
                        "[[sources]]\nname = \"b\"\nwrite_keys = [\"k3\", \"k2\"]\n"));
    CHECK(error.line == 7);
    CHECK(error.column == 21);
    CHECK_THAT(error.message, Equals(R"(sources[1].write_keys[1]: write key "k2" is already used )"
                                     R"(by source "a" (line 3))"));
  }
  SECTION("a write key twice in one source") {
    const ConfigError error =
        only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = [\"k\", \"k\"]\n"));
    CHECK(error.line == 3);
    CHECK_THAT(error.message, Contains(R"(write key "k" is already used by source "a")"));
  }
  SECTION("a duplicate name") {
    const ConfigError error =
        only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = [\"k1\"]\n"
                        "[[sources]]\nname = \"a\"\nwrite_keys = [\"k2\"]\n"));
    CHECK(error.line == 5);
    CHECK_THAT(error.message, Contains("sources[1].name: duplicate source name"));
  }
  SECTION("a missing name") {
    const ConfigError error = only_error(load("[[sources]]\nwrite_keys = [\"k\"]\n"));
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Equals(R"(sources[0]: missing required key "name")"));
  }
  SECTION("no write keys") {
    const ConfigError error = only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = []\n"));
    CHECK(error.line == 3);
    CHECK_THAT(error.message, Contains("sources[0].write_keys: expected a non-empty array"));
  }
  SECTION("an empty write key") {
    const ConfigError error = only_error(load("[[sources]]\nname = \"a\"\nwrite_keys = [\"\"]\n"));
    CHECK_THAT(error.message, Contains("sources[0].write_keys[0]: expected a non-empty string"));
  }
}

TEST_CASE("At least one source is required", "[config]") {
  SECTION("no [[sources]] at all") {
    const ConfigError error = only_error(load("[server]\nthreads = 1\n"));
    CHECK(error.line == 0);
    CHECK(error.to_string() ==
          "test.toml: no sources: add at least one [[sources]] table with a name and write_keys, "
          "or set SLUICE_SOURCES=\"name=key1,key2\"");
  }
  SECTION("an empty list") {
    const ConfigError error = only_error(load("sources = []\n"));
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Contains("no sources"));
  }
}

TEST_CASE("A TOML syntax error is reported with its position", "[config]") {
  SECTION("a missing value") {
    const ConfigError error = only_error(load("[server]\nthreads = \n"));
    CHECK(error.line == 2);
    CHECK(error.column > 0);
    CHECK_THAT(error.message, Contains("TOML syntax error"));
  }
  SECTION("a key defined twice") {
    const ConfigError error = only_error(load("[server]\nthreads = 1\nthreads = 2\n"));
    CHECK(error.line == 3);
  }
}

TEST_CASE("Every error is reported, in file order", "[config]") {
  const LoadResult result = load(
      "[storage]\ndurability = \"sometimes\"\n"  // 2
      "[server]\nthreads = \"x\"\n"              // 4
      "bogus = 1\n"                              // 5
      "[log]\nlevel = 3\n");                     // 7, and no sources
  INFO(all_errors(result));
  CHECK_FALSE(result.config.has_value());
  REQUIRE(result.errors.size() == 5);
  CHECK(result.errors[0].line == 2);
  CHECK_THAT(result.errors[0].message, Contains("storage.durability"));
  CHECK(result.errors[1].line == 4);
  CHECK_THAT(result.errors[1].message, Contains("server.threads"));
  CHECK(result.errors[2].line == 5);
  CHECK_THAT(result.errors[2].message, Contains("bogus"));
  CHECK(result.errors[3].line == 7);
  CHECK_THAT(result.errors[3].message, Contains("log.level"));
  CHECK(result.errors[4].line == 0);
  CHECK_THAT(result.errors[4].message, Contains("no sources"));
}

TEST_CASE("Environment variables override the file", "[config]") {
  SECTION("typed values") {
    const Environment env{
        {"SLUICE_SERVER_LISTEN", "0.0.0.0:9000"},
        {"SLUICE_SERVER_THREADS", "4"},
        {"SLUICE_SERVER_TRUST_FORWARDED_FOR", "true"},
        {"SLUICE_SERVER_CORS_ALLOWED_ORIGINS", R"(["https://a.example", "https://b.example"])"},
        {"SLUICE_SERVER_HEADER_TIMEOUT", "15"},
        {"SLUICE_SERVER_BODY_TIMEOUT", "200ms"},
        {"SLUICE_STORAGE_DURABILITY", "wal"},
        {"SLUICE_STORAGE_MAX_BACKLOG_BYTES", "1GiB"},
        {"SLUICE_LOG_LEVEL", "debug"},
    };
    const Config config =
        loaded(load_with_source("[server]\nlisten = \"127.0.0.1:1\"\nthreads = 2\n", env));
    CHECK(config.server.listen_host == "0.0.0.0");
    CHECK(config.server.listen_port == 9000);
    CHECK(config.server.threads == 4);
    CHECK(config.server.trust_forwarded_for);
    CHECK(config.server.cors_allowed_origins ==
          std::vector<std::string>{"https://a.example", "https://b.example"});
    CHECK(config.server.header_timeout == 15s);
    CHECK(config.server.body_timeout == 200ms);
    CHECK(config.storage.durability == Durability::kWal);
    CHECK(config.storage.max_backlog_bytes == 1ull << 30);
    CHECK(config.log.level == "debug");
  }
  SECTION("a string setting keeps text that would parse as another type") {
    const Config config = loaded(load_with_source("", {{"SLUICE_STORAGE_PATH", "2024"}}));
    CHECK(config.storage.path == "2024");
  }
  SECTION("a quoted string") {
    const Config config = loaded(load_with_source("", {{"SLUICE_SERVER_PUBLIC_HOST", "\"a:1\""}}));
    CHECK(config.server.public_host == "a:1");
  }
  SECTION("an override hides a bad file value") {
    const Config config = loaded(
        load_with_source("[server]\nthreads = \"four\"\n", {{"SLUICE_SERVER_THREADS", "3"}}));
    CHECK(config.server.threads == 3);
  }
  SECTION("variables for other uses are ignored") {
    CHECK(load_with_source("", {{"SLUICE_CONFIG", "/etc/x"}, {"HOME", "/root"}}).errors.empty());
  }
}

TEST_CASE("A bad environment value names the variable", "[config]") {
  SECTION("wrong type") {
    const ConfigError error = only_error(load_with_source("", {{"SLUICE_SERVER_THREADS", "four"}}));
    CHECK(error.origin == "environment variable SLUICE_SERVER_THREADS");
    CHECK(error.line == 0);
    CHECK(error.to_string() ==
          "environment variable SLUICE_SERVER_THREADS: server.threads: expected an integer >= 0, "
          "got string \"four\"");
  }
  SECTION("bad value") {
    const ConfigError error =
        only_error(load_with_source("", {{"SLUICE_STORAGE_DURABILITY", "sometimes"}}));
    CHECK(error.origin == "environment variable SLUICE_STORAGE_DURABILITY");
    CHECK_THAT(error.message, Contains("storage.durability"));
  }
  SECTION("an element of an array") {
    const ConfigError error =
        only_error(load_with_source("", {{"SLUICE_SERVER_CORS_ALLOWED_ORIGINS", "[1]"}}));
    CHECK(error.origin == "environment variable SLUICE_SERVER_CORS_ALLOWED_ORIGINS");
    CHECK_THAT(error.message, Contains("server.cors_allowed_origins[0]: expected a string"));
  }
  SECTION("a variable that names no setting") {
    const ConfigError error = only_error(load_with_source("", {{"SLUICE_SERVER_LISTN", "a:1"}}));
    CHECK(error.origin == "environment variable SLUICE_SERVER_LISTN");
    CHECK_THAT(error.message, Contains("did you mean \"SLUICE_SERVER_LISTEN\""));
  }
  SECTION("a source's settings have no variables of their own") {
    const ConfigError error = only_error(load_with_source("", {{"SLUICE_SOURCES_NAME", "x"}}));
    CHECK_THAT(error.message, Contains("set whole sources with SLUICE_SOURCES="));
  }
  SECTION("environment errors come after file errors") {
    const LoadResult result =
        load_with_source("[log]\nlevel = \"loud\"\n", {{"SLUICE_SERVER_THREADS", "-1"}});
    REQUIRE(result.errors.size() == 2);
    CHECK(result.errors[0].origin == kOrigin);
    CHECK(result.errors[1].origin == "environment variable SLUICE_SERVER_THREADS");
  }
  SECTION("checked even when the file does not parse") {
    const LoadResult result = load("[server\n", {{"SLUICE_SERVER_THREADZ", "1"}});
    REQUIRE(result.errors.size() == 2);
    CHECK_THAT(result.errors[0].message, Contains("TOML syntax error"));
    CHECK(result.errors[1].origin == "environment variable SLUICE_SERVER_THREADZ");
  }
}

TEST_CASE("load_file reads the file or reports why it cannot", "[config]") {
  SECTION("a readable file") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sluice_config_test_" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path) << "[server]\nthreads = 1\n" << kOneSource;
    const LoadResult result = load_file(path.string(), {});
    std::filesystem::remove(path);
    CHECK(loaded(result).server.threads == 1);
  }
  SECTION("errors name the file") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sluice_config_test_bad_" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path) << "[server]\nthreads = true\n" << kOneSource;
    const LoadResult result = load_file(path.string(), {});
    std::filesystem::remove(path);
    CHECK(only_error(result).origin == path.string());
    CHECK(only_error(result).line == 2);
  }
  SECTION("a missing file is one error") {
    const ConfigError error = only_error(load_file("/nonexistent/sluice.toml", {}));
    CHECK(error.to_string() ==
          "/nonexistent/sluice.toml: cannot read config file: No such file or directory");
  }
  SECTION("a directory is one error") {
    const ConfigError error =
        only_error(load_file(std::filesystem::temp_directory_path().string(), {}));
    CHECK_THAT(error.message, Contains("cannot read config file"));
  }
}

TEST_CASE("process_environment keeps only SLUICE_ variables", "[config]") {
  ::setenv("SLUICE_CONFIG_TEST_VARIABLE", "a=b", 1);
  ::setenv("NOT_SLUICE_CONFIG_TEST_VARIABLE", "c", 1);
  const Environment env = process_environment();
  ::unsetenv("SLUICE_CONFIG_TEST_VARIABLE");
  ::unsetenv("NOT_SLUICE_CONFIG_TEST_VARIABLE");

  REQUIRE(env.count("SLUICE_CONFIG_TEST_VARIABLE") == 1);
  CHECK(env.at("SLUICE_CONFIG_TEST_VARIABLE") == "a=b");
  for (const auto& [name, value] : env) CHECK(name.starts_with("SLUICE_"));
}

TEST_CASE("parse_byte_size reads integers with decimal or binary units", "[config]") {
  SECTION("valid") {
    CHECK(parse_byte_size("0") == 0u);
    CHECK(parse_byte_size("1024") == 1024u);
    CHECK(parse_byte_size("7B") == 7u);
    CHECK(parse_byte_size("600KB") == 600'000u);
    CHECK(parse_byte_size("600KiB") == 614'400u);
    CHECK(parse_byte_size("64MiB") == 64ull << 20);
    CHECK(parse_byte_size("3MB") == 3'000'000u);
    CHECK(parse_byte_size("10GiB") == 10ull << 30);
    CHECK(parse_byte_size("2GB") == 2'000'000'000u);
    CHECK(parse_byte_size("1TiB") == 1ull << 40);
    CHECK(parse_byte_size("5TB") == 5'000'000'000'000u);
    CHECK(parse_byte_size("1kb") == 1000u);
    CHECK(parse_byte_size("64 MiB") == 64ull << 20);
  }
  SECTION("malformed") {
    for (std::string_view bad :
         {"", "KiB", "-1", "+1", " 1", "1 ", "1.5GiB", "10GiBs", "10K", "0x10", "1e3", "10 GiB!",
          "18446744073709551616", "17179869184GiB"}) {
      INFO(bad);
      CHECK_FALSE(parse_byte_size(bad).has_value());
    }
  }
}

TEST_CASE("parse_duration reads integers with a unit", "[config]") {
  SECTION("valid") {
    CHECK(parse_duration("200ms") == 200ms);
    CHECK(parse_duration("10s") == 10s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("7d") == 168h);
    CHECK(parse_duration("0s") == 0ms);
    CHECK(parse_duration("10 s") == 10s);
  }
  SECTION("malformed") {
    for (std::string_view bad : {"", "10", "s", "-1s", "1.5s", "10sec", "10 ", "1h30m", "10w",
                                 "99999999999999999999ms", "9223372036854775807s"}) {
      INFO(bad);
      CHECK_FALSE(parse_duration(bad).has_value());
    }
  }
}

TEST_CASE("ConfigError::to_string leaves out unknown parts", "[config]") {
  CHECK(ConfigError{"f.toml", 3, 11, "m"}.to_string() == "f.toml:3:11: m");
  CHECK(ConfigError{"f.toml", 3, 0, "m"}.to_string() == "f.toml:3: m");
  CHECK(ConfigError{"f.toml", 0, 0, "m"}.to_string() == "f.toml: m");
  CHECK(ConfigError{"", 3, 4, "m"}.to_string() == "3:4: m");
  CHECK(ConfigError{"", 0, 0, "m"}.to_string() == "m");
}

}  // namespace sluice::config
