// Sources managed at runtime through the admin API, on the real binary: create, send with the
// new key, rotate with a grace period, disable, delete, survive kill -9.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <thread>

#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

constexpr std::string_view kAdminToken = "sources-token-0123456789";

ServerOptions with_admin() {
  ServerOptions options;
  options.extra_config =
      "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" + std::string(kAdminToken) + "\"\n";
  return options;
}

HttpResponse admin(const ServerProcess& server, std::string_view method, std::string_view path,
                   std::string_view body = {}) {
  HttpClient client(server.admin_port());
  Headers headers{{"Authorization", "Bearer " + std::string(kAdminToken)}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return client.request(method, path, headers, body);
}

HttpResponse track_with_key(const ServerProcess& server, std::string_view key, std::string_view id,
                            std::string_view event = "Test Event") {
  HttpClient client(server.port());
  return client.request("POST", "/v1/track", {{"Authorization", basic_auth(key)}},
                        track_json(id, event));
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element element;
  REQUIRE(parser.parse(json).get(element) == simdjson::SUCCESS);
  return element;
}

std::string string_at(simdjson::dom::element element, std::string_view pointer) {
  std::string_view text;
  REQUIRE(element.at_pointer(pointer).get_string().get(text) == simdjson::SUCCESS);
  return std::string(text);
}

// An admin API error: {"error":{"code","message"}}.
void check_admin_error(const HttpResponse& response, unsigned status, std::string_view code) {
  INFO("response body: " << response.body);
  CHECK(response.status == status);
  simdjson::dom::parser parser;
  CHECK(string_at(parse(parser, response.body), "/error/code") == code);
}

// Creates a source; its first write key.
std::string create_source(const ServerProcess& server, std::string_view name,
                          std::string_view settings = "{}") {
  const HttpResponse created =
      admin(server, "POST", "/v1/sources",
            R"({"name":")" + std::string(name) + R"(","settings":)" + std::string(settings) + "}");
  INFO(created.body);
  REQUIRE(created.status == 201);
  simdjson::dom::parser parser;
  const auto source = parse(parser, created.body);
  CHECK(string_at(source, "/name") == name);
  CHECK(string_at(source, "/origin") == "api");
  CHECK(string_at(source, "/keys/0/state") == "active");
  return string_at(source, "/keys/0/write_key");
}

double refused(const ServerProcess& server, std::string_view reason, std::string_view source) {
  HttpClient client(server.port());
  return metric_value(parse_metrics(client.request("GET", "/metrics").body),
                      "sluice_requests_refused_total",
                      {{"reason", std::string(reason)}, {"source", std::string(source)}})
      .value_or(0);
}

TEST_CASE("A source created through the admin API takes events with its new key at once",
          "[integration][sources]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_admin());
  const std::string key = create_source(server, "ios-app");
  CHECK(key.size() >= 22);  // 128 bits or more, URL-safe base64
  CHECK(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  CHECK(track_with_key(server, key, "from-ios").status == 200);

  const HttpResponse list = admin(server, "GET", "/v1/sources");
  REQUIRE(list.status == 200);
  simdjson::dom::parser parser;
  const auto sources = parse(parser, list.body);
  CHECK(string_at(sources, "/sources/0/origin") == "config");
  CHECK(string_at(sources, "/sources/1/name") == "ios-app");

  // The config's source cannot be changed here; a taken name cannot be created twice.
  const std::string config_source = string_at(sources, "/sources/0/name");
  check_admin_error(admin(server, "PATCH", "/v1/sources/" + config_source, R"({"enabled":false})"),
                    409, "managed_by_config");
  check_admin_error(admin(server, "POST", "/v1/sources/" + config_source + "/keys"), 409,
                    "managed_by_config");
  check_admin_error(admin(server, "POST", "/v1/sources", R"({"name":"ios-app"})"), 409,
                    "already_exists");
  check_admin_error(admin(server, "POST", "/v1/sources", R"({"name":"bad name"})"), 400,
                    "invalid_request");
  const HttpResponse bad_settings = admin(
      server, "POST", "/v1/sources", R"({"name":"web","settings":{"allowed_types":["tarck"]}})");
  check_admin_error(bad_settings, 400, "invalid_body");
  CHECK_THAT(bad_settings.body, Contains("tarck"));
  check_admin_error(admin(server, "GET", "/v1/sources/nope"), 404, "not_found");
  HttpClient no_token(server.admin_port());
  CHECK(no_token.request("GET", "/v1/sources").status == 401);

  CHECK(read_stored_log(server.config_path()).count("from-ios") == 1);
}

TEST_CASE("A rotated key works beside the new one until its grace period ends",
          "[integration][sources]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_admin());
  const std::string old_key = create_source(server, "web");
  const HttpResponse added = admin(server, "POST", "/v1/sources/web/keys");
  REQUIRE(added.status == 201);
  simdjson::dom::parser parser;
  const std::string new_key = string_at(parse(parser, added.body), "/write_key");
  CHECK(new_key != old_key);

  const HttpResponse revoked =
      admin(server, "POST", "/v1/sources/web/keys/" + old_key + "/revoke", R"({"after":"2s"})");
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  CHECK(string_at(parse(parser, revoked.body), "/keys/0/state") == "expiring");
  CHECK(track_with_key(server, old_key, "old-in-grace").status == 200);
  CHECK(track_with_key(server, new_key, "new-1").status == 200);

  REQUIRE(eventually([&] { return track_with_key(server, old_key, "probe").status == 400; }, 5s));
  const HttpResponse refused_old = track_with_key(server, old_key, "old-after-grace");
  check_error(refused_old, 400, "invalid_write_key");
  CHECK_THAT(refused_old.body, Contains("revoked"));
  CHECK(track_with_key(server, new_key, "new-2").status == 200);
  CHECK(refused(server, "write_key_revoked", "web") >= 2);
  CHECK(string_at(parse(parser, admin(server, "GET", "/v1/sources/web").body), "/keys/0/state") ==
        "revoked");

  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.count("old-in-grace") == 1);
  CHECK(log.count("old-after-grace") == 0);
  CHECK(log.count("new-2") == 1);
}

TEST_CASE(
    "A disabled source's keys are refused until it is enabled again, and a deleted source's "
    "events stay in the log",
    "[integration][sources]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_admin());
  const std::string key = create_source(server, "backend");
  CHECK(track_with_key(server, key, "before-disable").status == 200);

  REQUIRE(admin(server, "PATCH", "/v1/sources/backend", R"({"enabled":false})").status == 200);
  const HttpResponse disabled = track_with_key(server, key, "while-disabled");
  check_error(disabled, 400, "invalid_write_key");
  CHECK_THAT(disabled.body, Contains("disabled"));
  CHECK(refused(server, "source_disabled", "backend") == 1);

  REQUIRE(admin(server, "PATCH", "/v1/sources/backend", R"({"enabled":true})").status == 200);
  CHECK(track_with_key(server, key, "after-enable").status == 200);

  const HttpResponse deleted = admin(server, "DELETE", "/v1/sources/backend");
  CHECK(deleted.status == 204);
  const HttpResponse unknown = track_with_key(server, key, "after-delete");
  check_error(unknown, 400, "invalid_write_key");
  CHECK_THAT(unknown.body, Contains("unknown"));
  check_admin_error(admin(server, "GET", "/v1/sources/backend"), 404, "not_found");

  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.count("before-disable") == 1);
  CHECK(log.count("while-disabled") == 0);
  CHECK(log.count("after-enable") == 1);
}

TEST_CASE("A webhook source created through the API keeps its kind and takes its webhooks",
          "[integration][sources][inbound]") {
  TempDir dir;
  std::string key;
  {
    ServerProcess server(dir.path(), with_admin());
    // Settings that suit another kind are refused, naming it.
    const HttpResponse refused =
        admin(server, "POST", "/v1/sources",
              R"({"name":"mg","kind":"sendgrid","settings":{"signing_key":"k"}})");
    check_admin_error(refused, 400, "invalid_request");
    CHECK_THAT(refused.body, Contains("settings.signing_key is a setting of kind"));
    check_admin_error(admin(server, "POST", "/v1/sources", R"({"name":"mg","kind":"smtp"})"), 400,
                      "invalid_body");

    const HttpResponse created =
        admin(server, "POST", "/v1/sources",
              R"({"name":"mg","kind":"mailgun","settings":{"signing_key":"mg-key"}})");
    INFO(created.body);
    REQUIRE(created.status == 201);
    simdjson::dom::parser parser;
    const auto source = parse(parser, created.body);
    CHECK(string_at(source, "/kind") == "mailgun");
    key = string_at(source, "/keys/0/write_key");
    check_admin_error(admin(server, "PATCH", "/v1/sources/mg", R"({"items":"/events"})"), 400,
                      "invalid_request");

    HttpClient client(server.port());
    check_error(client.request("POST", "/v1/track", {{"Authorization", basic_auth(key)}},
                               track_json("not-here")),
                400, "wrong_source_kind");
    server.kill();
  }
  // After kill -9 the source is still a Mailgun source, with its key.
  ServerProcess restarted(dir.path(), with_admin());
  simdjson::dom::parser parser;
  CHECK(string_at(parse(parser, admin(restarted, "GET", "/v1/sources/mg").body), "/kind") ==
        "mailgun");
  simdjson::dom::element event_data;
  const std::string fixture = test::read_email_fixture("mailgun/opened.json");
  REQUIRE(parser.parse(fixture)["event-data"].get(event_data) == simdjson::SUCCESS);
  const std::string timestamp = std::to_string(now_millis() / 1000);
  const std::string body = R"({"signature":{"timestamp":")" + timestamp +
                           R"(","token":"t1","signature":")" +
                           test::hmac_sha256_hex("mg-key", timestamp + "t1") +
                           R"("},"event-data":)" + simdjson::minify(event_data) + "}";
  HttpClient client(restarted.port());
  const HttpResponse stored = client.request("POST", "/v1/webhook/" + key, {}, body);
  INFO(stored.body);
  CHECK(stored.status == 200);
  check_error(client.request("POST", "/v1/webhook/" + key, {},
                             body.substr(0, body.find("\"signature\":\"")) +
                                 R"("signature":"00"},)" + R"("event-data":{}})"),
              400, "invalid_signature");
}

TEST_CASE("Settings given through the API block events and types like the config's",
          "[integration][sources]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_admin());
  const std::string key = create_source(server, "shop", R"({"blocked_events":["Debug *"]})");
  HttpClient client(server.port());
  const std::string batch =
      batch_json({R"({"type":"track","event":"Debug Ping","messageId":"blocked-1","userId":"u"})",
                  R"({"type":"track","event":"Order","messageId":"kept-1","userId":"u"})"});
  HttpResponse answer =
      client.request("POST", "/v1/batch", {{"Authorization", basic_auth(key)}}, batch);
  CHECK(answer.status == 200);
  CHECK_THAT(answer.body, Contains("event_blocked"));

  // PATCH replaces the settings it names and keeps the others.
  REQUIRE(admin(server, "PATCH", "/v1/sources/shop", R"({"allowed_types":["identify"]})").status ==
          200);
  simdjson::dom::parser parser;
  const auto shop = parse(parser, admin(server, "GET", "/v1/sources/shop").body);
  CHECK(string_at(shop, "/settings/blocked_events/0") == "Debug *");
  CHECK(string_at(shop, "/settings/allowed_types/0") == "identify");
  answer = client.request("POST", "/v1/track", {{"Authorization", basic_auth(key)}},
                          track_json("typed-out"));
  CHECK(answer.status == 200);
  CHECK_THAT(answer.body, Contains("type_not_allowed"));

  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.count("kept-1") == 1);
  CHECK(log.count("blocked-1") == 0);
  CHECK(log.count("typed-out") == 0);
}

TEST_CASE("A source answered 201 survives kill -9, and a reload cannot take its name",
          "[integration][sources][crash]") {
  TempDir dir;
  std::string key;
  {
    ServerProcess server(dir.path(), with_admin());
    key = create_source(server, "survivor");
    server.kill();  // right after the 201
  }
  ServerProcess restarted(dir.path(), with_admin());
  CHECK(track_with_key(restarted, key, "after-crash").status == 200);
  simdjson::dom::parser parser;
  CHECK(string_at(parse(parser, admin(restarted, "GET", "/v1/sources/survivor").body),
                  "/keys/0/write_key") == key);

  // A config source of the same name is refused whole, and the API's source keeps working.
  std::ofstream(restarted.config_path(), std::ios::app)
      << "\n[[sources]]\nname = \"survivor\"\nwrite_keys = [\"file_key\"]\n";
  const HttpResponse reload = admin(restarted, "POST", "/v1/reload");
  check_admin_error(reload, 400, "invalid_config");
  CHECK_THAT(reload.body, Contains("survivor"));
  CHECK(track_with_key(restarted, key, "after-refused-reload").status == 200);
  CHECK(track_with_key(restarted, "file_key", "never").status == 400);
}

// `sluice sources ARGS` against the server's admin API, with the token in the environment.
CliRun sluice_sources(const ServerProcess& server, const std::string& args,
                      std::string_view token = kAdminToken) {
  return run_sluice(
      "sources " + args + " --admin http://127.0.0.1:" + std::to_string(server.admin_port()),
      "SLUICE_ADMIN_TOKEN=" + shell_quote(std::string(token)));
}

TEST_CASE("sluice sources drives the admin API from the command line", "[integration][sources]") {
  TempDir dir;
  ServerProcess server(dir.path(), with_admin());

  const CliRun created = sluice_sources(
      server, R"(create cli-app --settings '{"blocked_events":["Debug *"]}' --json)");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  simdjson::dom::parser parser;
  const std::string key = string_at(parse(parser, created.output), "/keys/0/write_key");
  CHECK(track_with_key(server, key, "cli-1").status == 200);

  const CliRun list = sluice_sources(server, "list");
  INFO(list.output);
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.output, Contains("NAME") && Contains("cli-app") && Contains("api"));

  CHECK(sluice_sources(server, "disable cli-app").exit_code == 0);
  CHECK(track_with_key(server, key, "cli-disabled").status == 400);
  CHECK(sluice_sources(server, "enable cli-app").exit_code == 0);

  const CliRun rotated = sluice_sources(server, "rotate cli-app");
  INFO(rotated.output);
  CHECK(rotated.exit_code == 0);
  CHECK_THAT(rotated.output, Contains("new write key for cli-app: "));
  const CliRun revoked = sluice_sources(server, "revoke cli-app " + key);
  INFO(revoked.output);
  CHECK(revoked.exit_code == 0);
  CHECK_THAT(revoked.output, Contains("revoked"));
  CHECK(track_with_key(server, key, "cli-revoked").status == 400);

  const CliRun shown = sluice_sources(server, "show cli-app");
  CHECK(shown.exit_code == 0);
  CHECK_THAT(shown.output, Contains("WRITE KEY") && Contains("Debug *"));

  // The server's refusal is printed with exit 1; no token or no server is exit 2.
  const CliRun missing = sluice_sources(server, "show nope");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Contains("no source named \"nope\""));
  CHECK(sluice_sources(server, "list", "wrong-token-0123456789").exit_code == 1);
  CHECK(sluice_sources(server, "list", "").exit_code == 2);
}

}  // namespace
}  // namespace sluice::integration
