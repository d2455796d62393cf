// [[destinations]]: the common keys, the sub-table of each type, and the checks across them.

#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;
using Catch::Equals;
using test::all_errors;
using namespace std::chrono_literals;

constexpr const char* kOrigin = "dest.toml";

// Appended after the text under test, so that its line numbers start at 1.
constexpr std::string_view kSources = R"(
[[sources]]
name = "website"
write_keys = ["k1"]
[[sources]]
name = "backend"
write_keys = ["k2"]
)";

LoadResult load(std::string_view text, const Environment& env = {}) {
  return load_string(std::string(text) + std::string(kSources), kOrigin, env);
}

Config loaded(std::string_view text) {
  return test::require_loaded(load(text));
}

ConfigError only_error(std::string_view text, const Environment& env = {}) {
  return test::require_one_error(load(text, env));
}

void check_error_at(std::string_view text, int line, std::string_view message_part) {
  const ConfigError error = only_error(text);
  CHECK(error.origin == kOrigin);
  CHECK(error.line == line);
  CHECK_THAT(error.message, Contains(std::string(message_part)));
}

// A file destination "archive": lines 1-3, then `extra` (from line 4), then [destinations.file]
// with path = "out" and `file_keys`.
std::string file_destination(std::string_view extra, std::string_view file_keys = "") {
  return "[[destinations]]\nname = \"archive\"\ntype = \"file\"\n" + std::string(extra) +
         "[destinations.file]\npath = \"out\"\n" + std::string(file_keys);
}

// A webhook destination "hook": lines 1-4 ([destinations.webhook] on line 3, url on line 4),
// then `keys` from line 5.
std::string webhook_destination(std::string_view keys) {
  return "[[destinations]]\nname = \"hook\"\ntype = \"webhook\"\n[destinations.webhook]\n"
         "url = \"https://example.com/collect\"\n" +
         std::string(keys);
}

// A kafka destination "stream" with [destinations.kafka] on line 4 and `keys` from line 5.
std::string kafka_destination(std::string_view keys) {
  return "[[destinations]]\nname = \"stream\"\ntype = \"kafka\"\n[destinations.kafka]\n" +
         std::string(keys);
}

}  // namespace

TEST_CASE("Without [[destinations]] a config has none", "[config][destinations]") {
  CHECK(loaded("").destinations.empty());
  const LoadResult embedded =
      load_string(embedded_default_toml(), "<embedded default>", Environment{});
  REQUIRE(embedded.config.has_value());
  CHECK(embedded.config->destinations.empty());
}

TEST_CASE("The destinations of the issue's example load with every value",
          "[config][destinations]") {
  const Config config = loaded(R"(
[[destinations]]
name = "warehouse-hook"
type = "webhook"
sources = ["website"]
include_types = ["track", "identify"]
include_events = ["Order Completed"]
exclude_events = []
batch_max_events = 100
batch_max_bytes = "512KiB"
batch_max_wait = "200ms"
max_in_flight = 4
retry_initial = "200ms"
retry_max = "5m"
max_attempts = 0
[destinations.webhook]
url = "https://example.com/collect"
headers = { Authorization = "Bearer abc" }
mode = "batch"
timeout = "10s"
ca_file = "/etc/ssl/extra.pem"

[[destinations]]
name = "archive"
type = "file"
[destinations.file]
path = "./data/out"
rotate_bytes = "256MiB"
rotate_interval = "1h"
gzip = true

[[destinations]]
name = "stream"
type = "kafka"
max_attempts = 7
[destinations.kafka]
brokers = "127.0.0.1:9092"
topic = "events-{source}-{type}"
properties = { "linger.ms" = "5" }
)");
  REQUIRE(config.destinations.size() == 3);

  const DestinationConfig& hook = config.destinations[0];
  CHECK(hook.name == "warehouse-hook");
  CHECK(hook.type() == DestinationType::kWebhook);
  CHECK(hook.sources == std::vector<std::string>{"website"});
  CHECK(hook.include_types == std::vector<std::string>{"track", "identify"});
  CHECK(hook.include_events == std::vector<std::string>{"Order Completed"});
  CHECK(hook.exclude_events.empty());
  CHECK(hook.batch_max_events == 100);
  CHECK(hook.batch_max_bytes == 512 * 1024);
  CHECK(hook.batch_max_wait == 200ms);
  CHECK(hook.max_in_flight == 4);
  CHECK(hook.retry_initial == 200ms);
  CHECK(hook.retry_max == 5min);
  CHECK(hook.max_attempts == 0);
  const auto& webhook = std::get<WebhookDestinationConfig>(hook.settings);
  CHECK(webhook.url == "https://example.com/collect");
  CHECK(webhook.headers == std::map<std::string, std::string>{{"Authorization", "Bearer abc"}});
  CHECK(webhook.mode == WebhookMode::kBatch);
  CHECK(webhook.timeout == 10s);
  CHECK(webhook.ca_file == "/etc/ssl/extra.pem");

  const DestinationConfig& archive = config.destinations[1];
  CHECK(archive.type() == DestinationType::kFile);
  CHECK(to_string(archive.type()) == "file");
  const auto& file = std::get<FileDestinationConfig>(archive.settings);
  CHECK(file.path == "./data/out");
  CHECK(file.rotate_bytes == 256ull << 20);
  CHECK(file.rotate_interval == 1h);
  CHECK(file.gzip);

  const DestinationConfig& stream = config.destinations[2];
  CHECK(stream.type() == DestinationType::kKafka);
  CHECK(stream.max_attempts == 7);
  const auto& kafka = std::get<KafkaDestinationConfig>(stream.settings);
  CHECK(kafka.brokers == "127.0.0.1:9092");
  CHECK(kafka.topic == "events-{source}-{type}");
  CHECK(kafka.properties == std::map<std::string, std::string>{{"linger.ms", "5"}});
}

TEST_CASE("Keys left out of a destination keep their defaults", "[config][destinations]") {
  const Config config = loaded(file_destination(""));
  REQUIRE(config.destinations.size() == 1);
  const DestinationConfig& destination = config.destinations[0];
  const DestinationConfig defaults;
  CHECK(destination.sources.empty());
  CHECK(destination.include_types.empty());
  CHECK(destination.include_events.empty());
  CHECK(destination.exclude_events.empty());
  // A file destination's batches are larger by default: each costs an fsync.
  CHECK(destination.batch_max_events == kFileBatchMaxEvents);
  CHECK(destination.batch_max_bytes == kFileBatchMaxBytes);
  CHECK(destination.batch_max_wait == defaults.batch_max_wait);
  CHECK(destination.max_in_flight == defaults.max_in_flight);
  CHECK(destination.retry_initial == defaults.retry_initial);
  CHECK(destination.retry_max == defaults.retry_max);
  CHECK(destination.max_attempts == defaults.max_attempts);
  const auto& file = std::get<FileDestinationConfig>(destination.settings);
  const FileDestinationConfig file_defaults;
  CHECK(file.rotate_bytes == file_defaults.rotate_bytes);
  CHECK(file.rotate_interval == file_defaults.rotate_interval);
  CHECK(file.gzip == file_defaults.gzip);

  const Config hook = loaded(webhook_destination(""));
  CHECK(hook.destinations[0].batch_max_events == defaults.batch_max_events);
  CHECK(hook.destinations[0].batch_max_bytes == defaults.batch_max_bytes);
  const Config small = loaded(file_destination("batch_max_events = 10\n"));
  CHECK(small.destinations[0].batch_max_events == 10);
  CHECK(small.destinations[0].batch_max_bytes == kFileBatchMaxBytes);
  const auto& webhook = std::get<WebhookDestinationConfig>(hook.destinations[0].settings);
  CHECK(webhook.mode == WebhookMode::kBatch);
  CHECK(webhook.timeout == 10s);
  CHECK(webhook.headers.empty());
  CHECK(webhook.ca_file.empty());
}

TEST_CASE("A destination needs a valid, unique name", "[config][destinations]") {
  SECTION("missing") {
    const ConfigError error =
        only_error("[[destinations]]\ntype = \"file\"\nfile = { path = \"o\" }\n");
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Equals(R"(destinations[0]: missing required key "name")"));
  }
  SECTION("empty") {
    check_error_at("[[destinations]]\nname = \"\"\ntype = \"file\"\nfile = { path = \"o\" }\n", 2,
                   "destinations[0].name: expected a name of 1 to 64 letters");
  }
  SECTION("with a character that is not allowed") {
    check_error_at("[[destinations]]\nname = \"a/b\"\ntype = \"file\"\nfile = { path = \"o\" }\n",
                   2,
                   R"(destinations[0].name: expected a name of 1 to 64 letters, digits, '.', )"
                   R"('_' and '-', got string "a/b")");
  }
  SECTION("used twice") {
    const ConfigError error = only_error(
        "[[destinations]]\nname = \"a\"\ntype = \"file\"\nfile = { path = \"o1\" }\n"
        "[[destinations]]\nname = \"a\"\ntype = \"file\"\nfile = { path = \"o2\" }\n");
    CHECK(error.line == 6);
    CHECK_THAT(error.message, Equals(R"(destinations[1].name: duplicate destination name, )"
                                     R"(already used by destination "a" (line 2))"));
  }
}

TEST_CASE("A destination's type selects its sub-table", "[config][destinations]") {
  SECTION("type missing") {
    check_error_at("[[destinations]]\nname = \"a\"\n", 1,
                   R"(destinations[0]: missing required key "type")");
  }
  SECTION("an unknown type") {
    check_error_at(
        "[[destinations]]\nname = \"a\"\ntype = \"s3\"\n", 3,
        R"(destinations[0].type: expected "webhook", "file", "kafka" or "postgres", got string "s3")");
  }
  SECTION("the type's sub-table missing") {
    check_error_at("[[destinations]]\nname = \"a\"\ntype = \"file\"\n", 1,
                   R"(destinations[0]: type "file" needs a [destinations.file] table)");
  }
  SECTION("another type's sub-table") {
    check_error_at(
        file_destination("", "[destinations.webhook]\nurl = \"http://h\"\n"), 6,
        R"(destinations[0].webhook: [destinations.webhook] does not apply to type "file")");
  }
  SECTION("a sub-table that is not a table") {
    check_error_at(
        "[[destinations]]\nname = \"a\"\ntype = \"file\"\nfile = \"out\"\n", 4,
        R"(destinations[0].file: expected a table [destinations.file], got string "out")");
  }
  SECTION("a required key of the sub-table missing") {
    check_error_at(
        "[[destinations]]\nname = \"a\"\ntype = \"file\"\n[destinations.file]\ngzip = true\n", 4,
        R"(destinations[0].file: missing required key "path")");
  }
  SECTION("an unknown key in the sub-table") {
    check_error_at(
        file_destination("", "rotate_byte = 10\n"), 6,
        R"(unknown key "rotate_byte" in [destinations.file]; did you mean "rotate_bytes"?)");
  }
  SECTION("an unknown key in the destination") {
    check_error_at(file_destination("batch_max_event = 5\n"), 4,
                   R"(unknown key "batch_max_event" in [[destinations]]; did you mean )"
                   R"("batch_max_events"?)");
  }
  SECTION("a table where the list belongs") {
    check_error_at("[destinations]\nname = \"a\"\n", 1,
                   "destinations: expected an array of tables [[destinations]], got table");
  }
}

TEST_CASE("Filters name configured sources and known types", "[config][destinations]") {
  SECTION("valid filters load") {
    const Config config = loaded(file_destination(
        "sources = [\"backend\", \"website\"]\ninclude_types = [\"page\", \"track\"]\n"
        "include_events = [\"A\"]\nexclude_events = [\"B\", \"C\"]\n"));
    const DestinationConfig& destination = config.destinations[0];
    CHECK(destination.sources == std::vector<std::string>{"backend", "website"});
    CHECK(destination.include_types == std::vector<std::string>{"page", "track"});
    CHECK(destination.exclude_events == std::vector<std::string>{"B", "C"});
  }
  SECTION("an unknown source, with a suggestion") {
    const ConfigError error =
        only_error(file_destination("sources = [\"website\", \"webstie\"]\n"));
    CHECK(error.line == 4);
    CHECK(error.column == 23);
    CHECK_THAT(error.message, Equals(R"(destinations[0].sources[1]: no source is named "webstie"; )"
                                     R"(did you mean "website"?)"));
  }
  SECTION("an empty source list") {
    check_error_at(file_destination("sources = []\n"), 4,
                   "destinations[0].sources: expected a non-empty array of strings (leave the key "
                   "out to select all)");
  }
  SECTION("an unknown message type") {
    check_error_at(file_destination("include_types = [\"track\", \"Track\"]\n"), 4,
                   R"(destinations[0].include_types[1]: expected one of identify, track, page, )"
                   R"(screen, group, alias, object, got string "Track")");
  }
  SECTION("event names without track events") {
    check_error_at(
        file_destination("include_types = [\"identify\"]\ninclude_events = [\"Signed Up\"]\n"), 5,
        R"(destinations[0].include_events: names track events, but include_types leaves out "track")");
  }
  SECTION("a non-string event name") {
    check_error_at(file_destination("exclude_events = [\"a\", 2]\n"), 4,
                   "destinations[0].exclude_events[1]: expected a string, got integer 2");
  }
}

TEST_CASE("Batch and retry settings are range-checked", "[config][destinations]") {
  SECTION("valid values load") {
    const Config config = loaded(file_destination(
        "batch_max_events = 1\nbatch_max_bytes = 1024\nbatch_max_wait = \"0ms\"\n"
        "max_in_flight = 2\nretry_initial = \"1s\"\nretry_max = \"1s\"\nmax_attempts = 3\n"));
    const DestinationConfig& destination = config.destinations[0];
    CHECK(destination.batch_max_events == 1);
    CHECK(destination.batch_max_bytes == 1024);
    CHECK(destination.batch_max_wait == 0ms);
    CHECK(destination.max_in_flight == 2);
    CHECK(destination.retry_initial == 1s);
    CHECK(destination.retry_max == 1s);
    CHECK(destination.max_attempts == 3);
  }
  SECTION("zero events per batch") {
    check_error_at(file_destination("batch_max_events = 0\n"), 4,
                   "destinations[0].batch_max_events: expected an integer >= 1, got integer 0");
  }
  SECTION("a batch over 64MiB") {
    check_error_at(file_destination("batch_max_bytes = \"65MiB\"\n"), 4,
                   "destinations[0].batch_max_bytes: expected a size > 0 and <= 67108864 bytes");
  }
  SECTION("a negative wait") {
    check_error_at(file_destination("batch_max_wait = -1\n"), 4,
                   "destinations[0].batch_max_wait: expected a duration >= 0");
  }
  SECTION("zero batches in flight") {
    check_error_at(file_destination("max_in_flight = 0\n"), 4,
                   "destinations[0].max_in_flight: expected an integer >= 1");
  }
  SECTION("negative attempts") {
    check_error_at(file_destination("max_attempts = -1\n"), 4,
                   "destinations[0].max_attempts: expected an integer >= 0");
  }
  SECTION("a zero retry delay") {
    check_error_at(file_destination("retry_initial = \"0s\"\n"), 4,
                   "destinations[0].retry_initial: expected a duration > 0");
  }
  SECTION("a first retry delay above the maximum") {
    check_error_at(file_destination("retry_initial = \"10s\"\nretry_max = \"5s\"\n"), 4,
                   "destinations[0].retry_initial (10000ms) must be <= retry_max (5000ms)");
  }
}

TEST_CASE("[destinations.webhook] needs an http(s) URL and clean headers",
          "[config][destinations]") {
  SECTION("event mode, a plain http URL with a port, and headers") {
    const Config config = loaded(
        "[[destinations]]\nname = \"h\"\ntype = \"webhook\"\n[destinations.webhook]\n"
        "url = \"http://127.0.0.1:9000/in?x=1\"\nmode = \"event\"\ntimeout = 3\n"
        "headers = { \"X-Api-Key\" = \"k\", Authorization = \"Bearer t\" }\n");
    const auto& webhook = std::get<WebhookDestinationConfig>(config.destinations[0].settings);
    CHECK(webhook.url == "http://127.0.0.1:9000/in?x=1");
    CHECK(webhook.mode == WebhookMode::kEvent);
    CHECK(webhook.timeout == 3s);
    CHECK(webhook.headers.size() == 2);
  }
  SECTION("an IPv6 URL") {
    CHECK(loaded("[[destinations]]\nname = \"h\"\ntype = \"webhook\"\n[destinations.webhook]\n"
                 "url = \"https://[::1]:8443/\"\n")
              .destinations.size() == 1);
  }
  SECTION("URLs that are refused") {
    for (const char* url :
         {"ftp://example.com/", "https://", "https:///path", "http://h:0/", "http://h:99999/",
          "http://h:x/", "http://user:pw@h/", "http://h/a b", "example.com/collect"}) {
      INFO(url);
      check_error_at(
          "[[destinations]]\nname = \"h\"\ntype = \"webhook\"\n[destinations.webhook]\n"
          "url = \"" +
              std::string(url) + "\"\n",
          5, "destinations[0].webhook.url: expected an http:// or https:// URL");
    }
  }
  SECTION("a missing URL") {
    check_error_at(
        "[[destinations]]\nname = \"h\"\ntype = \"webhook\"\n[destinations.webhook]\n"
        "mode = \"batch\"\n",
        4, R"(destinations[0].webhook: missing required key "url")");
  }
  SECTION("an unknown mode") {
    check_error_at(
        webhook_destination("mode = \"stream\"\n"), 6,
        R"(destinations[0].webhook.mode: expected "batch" or "event", got string "stream")");
  }
  SECTION("a header value that is not a string") {
    check_error_at(webhook_destination("headers = { X-Count = 3 }\n"), 6,
                   R"(destinations[0].webhook.headers."X-Count": expected a string)");
  }
  SECTION("a header value with a line break") {
    check_error_at(
        webhook_destination("headers = { X-A = \"a\\r\\nX-B: b\" }\n"), 6,
        R"(destinations[0].webhook.headers."X-A": expected a header value without line breaks)");
  }
  SECTION("a header name that is not a token") {
    check_error_at(webhook_destination("headers = { \"X A\" = \"a\" }\n"), 6,
                   R"(destinations[0].webhook.headers."X A": expected an HTTP header name)");
  }
  SECTION("a header that would break the framing") {
    check_error_at(webhook_destination("headers = { content-length = \"5\" }\n"), 6,
                   "expected a header other than Content-Length and Transfer-Encoding");
  }
  SECTION("an empty CA file") {
    check_error_at(webhook_destination("ca_file = \"\"\n"), 6,
                   "destinations[0].webhook.ca_file: expected a non-empty string");
  }
}

TEST_CASE("[destinations.kafka] needs brokers and a valid topic", "[config][destinations]") {
  SECTION("a missing topic and brokers") {
    const LoadResult result = load(kafka_destination("properties = {}\n"));
    INFO(all_errors(result));
    REQUIRE(result.errors.size() == 2);
    CHECK(result.errors[0].message == R"(destinations[0].kafka: missing required key "brokers")");
    CHECK(result.errors[1].message == R"(destinations[0].kafka: missing required key "topic")");
  }
  SECTION("a topic with an unknown placeholder") {
    check_error_at(kafka_destination("brokers = \"b:9092\"\ntopic = \"e-{user}\"\n"), 6,
                   "destinations[0].kafka.topic: expected a topic name of letters");
  }
  SECTION("a topic with a space") {
    check_error_at(kafka_destination("brokers = \"b:9092\"\ntopic = \"my events\"\n"), 6,
                   "destinations[0].kafka.topic");
  }
  SECTION("a dotted property name written bare") {
    check_error_at(
        kafka_destination(
            "brokers = \"b:9092\"\ntopic = \"e\"\nproperties = { linger.ms = \"5\" }\n"),
        7, R"(destinations[0].kafka.properties."linger": expected a string (quote dotted names)");
  }
}

TEST_CASE("[destinations.file] needs its own directory", "[config][destinations]") {
  SECTION("sizes and intervals") {
    const Config config =
        loaded(file_destination("", "rotate_bytes = 1000\nrotate_interval = \"250ms\"\n"));
    const auto& file = std::get<FileDestinationConfig>(config.destinations[0].settings);
    CHECK(file.rotate_bytes == 1000);
    CHECK(file.rotate_interval == 250ms);
  }
  SECTION("two file destinations in one directory") {
    const ConfigError error = only_error(
        "[[destinations]]\nname = \"a\"\ntype = \"file\"\nfile = { path = \"out/x\" }\n"
        "[[destinations]]\nname = \"b\"\ntype = \"file\"\nfile = { path = \"out/./x/\" }\n");
    CHECK(error.line == 8);
    CHECK_THAT(error.message,
               Equals(R"(destinations[1].file.path: directory "out/./x/" is already )"
                      R"(used by destination "a" (line 4))"));
  }
  SECTION("the event log's directory") {
    check_error_at(
        "[storage]\npath = \"data/log\"\n[[destinations]]\nname = \"a\"\ntype = \"file\"\n"
        "file = { path = \"./data/log\" }\n",
        6, "destinations[0].file.path: is the event log's directory (storage.path)");
  }
  SECTION("a zero rotation size") {
    check_error_at(file_destination("", "rotate_bytes = 0\n"), 6,
                   "destinations[0].file.rotate_bytes: expected a size > 0");
  }
  SECTION("gzip as a string") {
    check_error_at(file_destination("", "gzip = \"yes\"\n"), 6,
                   R"(destinations[0].file.gzip: expected true or false, got string "yes")");
  }
}

TEST_CASE("Every destination error is reported in one pass", "[config][destinations]") {
  const LoadResult result = load(
      "[[destinations]]\nname = \"a\"\ntype = \"file\"\nbatch_max_events = 0\n"     // 4
      "[destinations.file]\npath = \"\"\n"                                          // 6
      "[[destinations]]\nname = \"b\"\ntype = \"webhook\"\nsources = [\"nope\"]\n"  // 10
      "[destinations.webhook]\nurl = \"https://h/\"\n");
  INFO(all_errors(result));
  REQUIRE(result.errors.size() == 3);
  CHECK(result.errors[0].line == 4);
  CHECK(result.errors[1].line == 6);
  CHECK(result.errors[2].line == 10);
}

TEST_CASE("[[destinations]] cannot come from the environment", "[config][destinations]") {
  const ConfigError error = only_error("", {{"SLUICE_DESTINATIONS_NAME", "x"}});
  CHECK(error.origin == "environment variable SLUICE_DESTINATIONS_NAME");
  CHECK_THAT(error.message, Contains("[[destinations]] cannot be set from the environment"));
}

}  // namespace sluice::config

namespace sluice::config {

TEST_CASE("A postgres destination takes a DSN and the schema rule", "[config][destinations]") {
  const Config config = test::require_loaded(load_string(
      "[[destinations]]\nname = \"warehouse\"\ntype = \"postgres\"\n[destinations.postgres]\n"
      "dsn = \"host=/run/postgresql dbname=analytics\"\nschema_per_source = false\n"
      "[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n",
      "test.toml", {}));
  const DestinationConfig& warehouse = config.destinations.at(0);
  CHECK(warehouse.type() == DestinationType::kPostgres);
  const auto& postgres = std::get<PostgresDestinationConfig>(warehouse.settings);
  CHECK(postgres.dsn == "host=/run/postgresql dbname=analytics");
  CHECK_FALSE(postgres.schema_per_source);
}

TEST_CASE("A postgres destination loads large batches two at a time unless told otherwise",
          "[config][destinations]") {
  const auto with = [](const std::string& keys) {
    return test::require_loaded(
        load_string("[[destinations]]\nname = \"warehouse\"\ntype = \"postgres\"\n" + keys +
                        "[destinations.postgres]\ndsn = \"dbname=analytics\"\n"
                        "[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n",
                    "test.toml", {}));
  };
  const Config defaults = with("");
  REQUIRE(defaults.destinations.size() == 1);
  CHECK(defaults.destinations[0].batch_max_events == kWarehouseBatchMaxEvents);
  CHECK(defaults.destinations[0].batch_max_bytes == kWarehouseBatchMaxBytes);
  CHECK(defaults.destinations[0].max_in_flight == kWarehouseMaxInFlight);
  const Config set = with("batch_max_events = 500\nmax_in_flight = 1\n");
  REQUIRE(set.destinations.size() == 1);
  CHECK(set.destinations[0].batch_max_events == 500);
  CHECK(set.destinations[0].batch_max_bytes == kWarehouseBatchMaxBytes);
  CHECK(set.destinations[0].max_in_flight == 1);
}

TEST_CASE("A postgres destination needs a DSN", "[config][destinations]") {
  const ConfigError error = test::require_one_error(load_string(
      "[[destinations]]\nname = \"warehouse\"\ntype = \"postgres\"\n[destinations.postgres]\n"
      "schema_per_source = true\n[[sources]]\nname = \"web\"\nwrite_keys = [\"k1\"]\n",
      "test.toml", {}));
  CHECK_THAT(error.message, Catch::Contains("dsn"));
}

}  // namespace sluice::config
