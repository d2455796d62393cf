// Reloading the config without a restart: SIGHUP and POST /v1/reload on the real binary.

#include <csignal>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "delivery_support.hpp"
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

// Senders posting track events with the config's key, each on a keep-alive connection of its
// own, message ids "load-<sender>-<n>"; they count what they sent and what was not answered 200.
class TrackLoad {
 public:
  TrackLoad(std::uint16_t port, int senders, int per_sender)
      : senders_count_(senders), per_sender_(per_sender) {
    for (int s = 0; s < senders; ++s) {
      senders_.emplace_back([this, port, s] {
        HttpClient client(port);
        for (int i = 0; i < per_sender_; ++i) {
          if (track_with_key(client, kWriteKey, id(s, i)) != 200) not_ok_.fetch_add(1);
          sent_.fetch_add(1);
        }
      });
    }
  }
  ~TrackLoad() { join(); }
  TrackLoad(const TrackLoad&) = delete;
  TrackLoad& operator=(const TrackLoad&) = delete;

  static std::string id(int sender, int n) {
    return "load-" + std::to_string(sender) + "-" + std::to_string(n);
  }
  int total() const { return senders_count_ * per_sender_; }
  int sent() const { return sent_.load(); }
  int not_ok() const { return not_ok_.load(); }
  void join() {
    for (auto& sender : senders_) {
      if (sender.joinable()) sender.join();
    }
  }
  // Calls check with every id the load sent.
  template <typename Check>
  void for_each_id(Check check) const {
    for (int s = 0; s < senders_count_; ++s) {
      for (int i = 0; i < per_sender_; ++i) check(id(s, i));
    }
  }

 private:
  const int senders_count_;
  const int per_sender_;
  std::atomic<int> sent_{0};
  std::atomic<int> not_ok_{0};
  std::vector<std::thread> senders_;  // last: they use the members above
};

TEST_CASE("SIGHUP adds a source while requests keep coming, and every one is answered 200",
          "[integration][reload]") {
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  ServerProcess server(dir.path(), options);

  TrackLoad load(server.port(), 4, 600);
  // Mid-load: a new source, announced by SIGHUP.
  REQUIRE(eventually([&] { return load.sent() >= load.total() / 4; }));
  append_to(server.config_path(), "\n[[sources]]\nname = \"ios\"\nwrite_keys = [\"ios_key\"]\n");
  server.signal(SIGHUP);
  HttpClient ios(server.port());
  CHECK(eventually([&] { return track_with_key(ios, "ios_key", "ios-1") == 200; }));
  load.join();

  CHECK(load.not_ok() == 0);
  HttpClient client(server.port());
  const HttpResponse ready = client.request("GET", "/ready");
  CHECK(ready.body == R"({"status":"ready","config_generation":2})");
  const StoredLog log = read_stored_log(server.config_path());
  load.for_each_id([&log](const std::string& id) { CHECK(log.count(id) == 1); });
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

TEST_CASE("POST /v1/reload applies the request limits and CORS of [server]",
          "[integration][reload][admin]") {
  TempDir dir;
  ServerOptions options;
  options.extra_config =
      "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" + std::string(kAdminToken) + "\"\n";
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  const std::string two = batch_json({R"({"type":"track","userId":"u","event":"A"})",
                                      R"({"type":"track","userId":"u","event":"B"})"});
  const Headers from_shop{{"Authorization", basic_auth(kWriteKey)},
                          {"Origin", "https://shop.example"}};
  HttpResponse before = client.request("POST", "/v1/batch", from_shop, two);
  CHECK(before.status == 200);
  CHECK(before.header("Access-Control-Allow-Origin") == "https://shop.example");

  std::string text = read_file(server.config_path());
  text.replace(
      text.find("[server]\n"), 9,
      "[server]\nmax_batch_events = 1\ncors_allowed_origins = [\"https://other.example\"]\n");
  std::ofstream(server.config_path(), std::ios::trunc) << text;
  HttpClient admin(server.admin_port());
  const HttpResponse reloaded = admin.request(
      "POST", "/v1/reload", {{"Authorization", "Bearer " + std::string(kAdminToken)}});
  CHECK(reloaded.body ==
        R"({"generation":2,"applied":["server.max_batch_events","server.cors_allowed_origins"],)"
        R"("restart_required":[]})");

  // The same connection, kept alive across the reload, gets the new rules.
  const HttpResponse after = client.request("POST", "/v1/batch", from_shop, two);
  check_error(after, 400, "too_many_events");
  CHECK(after.header("Access-Control-Allow-Origin").empty());
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST_CASE("SIGHUP adds a source and a destination under load, and every event is delivered",
          "[integration][reload][delivery]") {
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.extra_config = file_destination_toml("archive", dir.path() / "archive", 200);
  ServerProcess server(dir.path(), options);

  const auto started = std::chrono::steady_clock::now();
  TrackLoad load(server.port(), 4, 1500);
  REQUIRE(eventually([&] { return load.sent() >= load.total() / 4; }));
  append_to(server.config_path(),
            file_destination_toml("mirror", dir.path() / "mirror", 200) +
                "\n[[sources]]\nname = \"ios\"\nwrite_keys = [\"ios_key\"]\n");
  server.signal(SIGHUP);
  HttpClient ios(server.port());
  CHECK(eventually([&] { return track_with_key(ios, "ios_key", "ios-1") == 200; }));
  const int sent_at_reload_end = load.sent();
  load.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double rate = load.total() / seconds;
  WARN("requests/s: " << rate << "; the reload ended after " << sent_at_reload_end << " of "
                      << load.total() << " requests");
  if (!kSanitized) CHECK(rate >= 1000);
  CHECK(sent_at_reload_end < load.total());  // the reload happened under the load
  CHECK(load.not_ok() == 0);

  // The new destination starts from the beginning of the log: it gets everything, as the old
  // one does.
  REQUIRE(wait_until_delivered(server.port(), "archive", 60s));
  REQUIRE(wait_until_delivered(server.port(), "mirror", 60s));
  HttpClient client(server.port());
  CHECK(client.request("GET", "/ready").body == R"({"status":"ready","config_generation":2})");
  REQUIRE(server.terminate().clean());  // completes the files being written
  const auto archived = delivered_message_ids(dir.path() / "archive");
  const auto mirrored = delivered_message_ids(dir.path() / "mirror");
  std::vector<std::string> missing;
  load.for_each_id([&](const std::string& id) {
    if (!archived.contains(id) || !mirrored.contains(id)) missing.push_back(id);
  });
  CHECK(missing.empty());
  CHECK(mirrored.contains("ios-1"));
}

TEST_CASE("A reload stops a removed destination with its cursor and restarts a changed one",
          "[integration][reload][delivery]") {
  TempDir dir;
  ServerOptions options;
  options.extra_config = file_destination_toml("keep", dir.path() / "keep", 10) +
                         file_destination_toml("drop", dir.path() / "drop", 10);
  // A removed destination no longer holds the log back; the retention period does.
  options.storage_settings = {"retention = \"1h\""};
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  for (int i = 0; i < 30; ++i) {
    REQUIRE(track_with_key(client, kWriteKey, "first-" + std::to_string(i)) == 200);
  }
  REQUIRE(wait_until_delivered(server.port(), "keep", 30s));
  REQUIRE(wait_until_delivered(server.port(), "drop", 30s));
  const std::uint64_t drop_cursor = delivery_progress(server.port(), "drop").cursor;

  // "drop" goes, "keep" changes its batch size, "broken" cannot be built: refused whole.
  const std::string base = read_file(server.config_path());
  std::string next = base;
  next.erase(next.find("\n[[destinations]]\nname = \"drop\""));
  next.replace(next.find("batch_max_events = 10"), 21, "batch_max_events = 5");
  std::ofstream(server.config_path(), std::ios::trunc)
      << next << "\n[[destinations]]\nname = \"broken\"\ntype = \"webhook\"\n"
      << "[destinations.webhook]\nurl = \"https://127.0.0.1:1/\"\nca_file = \""
      << (dir.path() / "no-such-ca.pem").string() << "\"\n";
  server.signal(SIGHUP);
  CHECK(eventually([&] {
    const auto failures = metric_value(parse_metrics(client.request("GET", "/metrics").body),
                                       "sluice_config_reload_failures_total");
    return failures && *failures == 1;
  }));
  CHECK(client.request("GET", "/ready").body == R"({"status":"ready","config_generation":1})");

  std::ofstream(server.config_path(), std::ios::trunc) << next;
  server.signal(SIGHUP);
  REQUIRE(eventually([&] {
    return client.request("GET", "/ready").body == R"({"status":"ready","config_generation":2})";
  }));
  for (int i = 0; i < 20; ++i) {
    REQUIRE(track_with_key(client, kWriteKey, "second-" + std::to_string(i)) == 200);
  }
  REQUIRE(wait_until_delivered(server.port(), "keep", 30s));
  CHECK(delivery_progress(server.port(), "drop").cursor == drop_cursor);  // stopped

  // Back again, "drop" resumes from its saved cursor: it gets what it missed, once.
  std::ofstream(server.config_path(), std::ios::trunc) << base;
  server.signal(SIGHUP);
  REQUIRE(wait_until_delivered(server.port(), "drop", 30s));
  CHECK(delivery_progress(server.port(), "drop").cursor > drop_cursor);
  // A clean stop completes the files the destinations were writing.
  REQUIRE(server.terminate().clean());
  const auto kept = delivered_message_ids(dir.path() / "keep");
  const auto dropped = delivered_message_ids(dir.path() / "drop");
  for (const auto* delivered : {&kept, &dropped}) {
    const auto times = [delivered](const std::string& id) {
      const auto found = delivered->find(id);
      return found == delivered->end() ? 0 : found->second;
    };
    for (int i = 0; i < 30; ++i) CHECK(times("first-" + std::to_string(i)) == 1);
    for (int i = 0; i < 20; ++i) CHECK(times("second-" + std::to_string(i)) == 1);
  }
}

TEST_CASE("A paused destination stays paused when a reload changes it",
          "[integration][reload][delivery][admin]") {
  TempDir dir;
  ServerOptions options;
  options.extra_config = file_destination_toml("held", dir.path() / "held", 10) +
                         "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                         std::string(kAdminToken) + "\"\n";
  ServerProcess server(dir.path(), options);
  HttpClient admin(server.admin_port());
  const Headers bearer{{"Authorization", "Bearer " + std::string(kAdminToken)}};
  REQUIRE(admin.request("POST", "/v1/destinations/held/pause", bearer).status == 200);

  std::string text = read_file(server.config_path());
  text.replace(text.find("batch_max_events = 10"), 21, "batch_max_events = 5");
  std::ofstream(server.config_path(), std::ios::trunc) << text;
  const HttpResponse reloaded = admin.request("POST", "/v1/reload", bearer);
  CHECK(reloaded.body == R"({"generation":2,"applied":["destinations"],"restart_required":[]})");
  // The new loop loads its cursor first ("starting"), then shows the pause it was given.
  CHECK(eventually([&] {
    return admin.request("GET", "/v1/destinations/held", bearer).body.find(R"("state":"paused")") !=
           std::string::npos;
  }));

  HttpClient client(server.port());
  for (int i = 0; i < 10; ++i) {
    REQUIRE(track_with_key(client, kWriteKey, "held-" + std::to_string(i)) == 200);
  }
  std::this_thread::sleep_for(300ms);
  CHECK(delivery_progress(server.port(), "held").cursor == 0);
  REQUIRE(admin.request("POST", "/v1/destinations/held/resume", bearer).status == 200);
  CHECK(wait_until_delivered(server.port(), "held", 30s));
}

}  // namespace
}  // namespace sluice::integration
