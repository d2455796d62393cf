// Reloading the config without a restart: SIGHUP and POST /v1/reload on the real binary.

#include <csignal>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

constexpr std::string_view kAdminToken = "reload-token-0123456789";

void append_to(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

unsigned track_with_key(HttpClient& client, std::string_view key, std::string_view id) {
  return client.request("POST", "/v1/track", {{"Authorization", basic_auth(key)}}, track_json(id))
      .status;
}

TEST_CASE("SIGHUP adds a source while requests keep coming, and every one is answered 200",
          "[integration][reload]") {
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  ServerProcess server(dir.path(), options);

  constexpr int kSenders = 4;
  constexpr int kPerSender = 600;
  std::atomic<int> not_ok{0};
  std::atomic<int> sent{0};
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      HttpClient client(server.port());
      for (int i = 0; i < kPerSender; ++i) {
        const std::string id = "load-" + std::to_string(s) + "-" + std::to_string(i);
        if (track_with_key(client, kWriteKey, id) != 200) not_ok.fetch_add(1);
        sent.fetch_add(1);
      }
    });
  }
  // Mid-load: a new source, announced by SIGHUP.
  REQUIRE(eventually([&] { return sent.load() >= kSenders * kPerSender / 4; }));
  append_to(server.config_path(), "\n[[sources]]\nname = \"ios\"\nwrite_keys = [\"ios_key\"]\n");
  server.signal(SIGHUP);
  HttpClient ios(server.port());
  CHECK(eventually([&] { return track_with_key(ios, "ios_key", "ios-1") == 200; }));
  for (auto& sender : senders) sender.join();

  CHECK(not_ok.load() == 0);
  HttpClient client(server.port());
  const HttpResponse ready = client.request("GET", "/ready");
  CHECK(ready.body == R"({"status":"ready","config_generation":2})");
  const StoredLog log = read_stored_log(server.config_path());
  for (int s = 0; s < kSenders; ++s) {
    for (int i = 0; i < kPerSender; ++i) {
      CHECK(log.count("load-" + std::to_string(s) + "-" + std::to_string(i)) == 1);
    }
  }
  CHECK(log.count("ios-1") == 1);
}

TEST_CASE("An invalid config on SIGHUP changes nothing", "[integration][reload]") {
  TempDir dir;
  ServerProcess server(dir.path());
  const std::string valid = read_file(server.config_path());
  append_to(server.config_path(), "\n[[sources]]\nname = \"broken\"\nwrite_keys = 7\n");
  server.signal(SIGHUP);
  HttpClient client(server.port());
  CHECK(eventually([&] {
    const auto failures = metric_value(parse_metrics(client.request("GET", "/metrics").body),
                                       "sluice_config_reload_failures_total");
    return failures && *failures == 1;
  }));
  CHECK(track_with_key(client, kWriteKey, "after-bad-reload") == 200);
  CHECK(client.request("GET", "/ready").body == R"({"status":"ready","config_generation":1})");
  CHECK_THAT(
      server.output(),
      Contains("config reload refused, nothing changed: " + server.config_path().string() + ":"));
  // `sluice log cat` reads the config too.
  std::ofstream(server.config_path(), std::ios::trunc) << valid;
  CHECK(read_stored_log(server.config_path()).count("after-bad-reload") == 1);
}

TEST_CASE("POST /v1/reload replaces a leaked key and says what needs a restart",
          "[integration][reload][admin]") {
  TempDir dir;
  ServerOptions options;
  options.extra_config =
      "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" + std::string(kAdminToken) + "\"\n";
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  REQUIRE(track_with_key(client, kWriteKey, "before-rotation") == 200);

  // The same file with the key replaced and the thread count changed.
  std::string text = read_file(server.config_path());
  text.replace(text.find("test_write_key"), 14, "rotated_key_1");
  text.replace(text.find("threads = 2"), 11, "threads = 3");
  std::ofstream(server.config_path(), std::ios::trunc) << text;

  HttpClient admin(server.admin_port());
  const HttpResponse reloaded = admin.request(
      "POST", "/v1/reload", {{"Authorization", "Bearer " + std::string(kAdminToken)}});
  CHECK(reloaded.status == 200);
  CHECK(reloaded.body ==
        R"({"generation":2,"applied":["sources"],"restart_required":["server.threads"]})");
  const HttpResponse refused = client.request(
      "POST", "/v1/track", {{"Authorization", basic_auth(kWriteKey)}}, track_json("old-key"));
  check_error(refused, 400, "invalid_write_key");
  CHECK(track_with_key(client, "rotated_key_1", "new-key") == 200);
  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.count("old-key") == 0);
  CHECK(log.count("new-key") == 1);
}

}  // namespace
}  // namespace sluice::integration
