// De-duplication by messageId through the real binary: duplicates within and across requests,
// across a restart and a SIGKILL, concurrent duplicates, window expiry and dedup turned off.

#include <atomic>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;

std::string anonymous_track() {
  return R"({"type":"track","userId":"user-1","event":"No Id"})";
}

double duplicates_counted(HttpClient& client) {
  const HttpResponse metrics = client.request("GET", "/metrics");
  return metric_value(parse_metrics(metrics.body), "sluice_events_duplicate_total",
                      {{"source", "website"}})
      .value_or(0.0);
}

}  // namespace

TEST_CASE("An event sent again within the window is acknowledged and not stored twice",
          "[integration][dedup]") {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.path());
  {
    HttpClient client(server->port());
    // Twice in one batch: the first is stored, the second reported.
    const HttpResponse first =
        client.request("POST", "/v1/batch", auth_headers(),
                       batch_json({track_json("d-1"), track_json("d-2"), track_json("d-1")}));
    REQUIRE(first.status == 200);
    CHECK(first.body == R"({"success":true,"duplicates":[{"index":2,"messageId":"d-1"}]})");
    // Again in a later batch, beside a new one.
    const HttpResponse second = client.request("POST", "/v1/batch", auth_headers(),
                                               batch_json({track_json("d-3"), track_json("d-2")}));
    CHECK(second.body == R"({"success":true,"duplicates":[{"index":1,"messageId":"d-2"}]})");
    // A single message says so in a word.
    const HttpResponse single =
        client.request("POST", "/v1/track", auth_headers(), track_json("d-3"));
    CHECK(single.status == 200);
    CHECK(single.body == R"({"success":true,"duplicate":true})");
    // Messages without an id get one from the server: never the same twice.
    for (int i = 0; i < 2; ++i) {
      CHECK(client.request("POST", "/v1/track", auth_headers(), anonymous_track()).body ==
            R"({"success":true})");
    }
    CHECK(duplicates_counted(client) == 3.0);
    const HttpResponse metrics = client.request("GET", "/metrics");
    // Received counts what was stored: d-1, d-2, d-3 and the two without ids.
    CHECK(metric_value(parse_metrics(metrics.body), "sluice_events_received_total",
                       {{"source", "website"}, {"type", "track"}}) == 5.0);
  }

  // Acknowledged, then killed: the ids are still known after the restart.
  REQUIRE(server->kill().signal == SIGKILL);
  server = std::make_unique<ServerProcess>(dir.path());
  HttpClient client(server->port());
  CHECK(client.request("POST", "/v1/track", auth_headers(), track_json("d-1")).body ==
        R"({"success":true,"duplicate":true})");
  // And after a clean restart too.
  REQUIRE(server->terminate().clean());
  server = std::make_unique<ServerProcess>(dir.path());
  HttpClient again(server->port());
  CHECK(again.request("POST", "/v1/track", auth_headers(), track_json("d-2")).body ==
        R"({"success":true,"duplicate":true})");
  REQUIRE(server->terminate().clean());

  const StoredLog log = read_stored_log(server->config_path());
  CHECK(log.events.size() == 5);
  for (const char* id : {"d-1", "d-2", "d-3"}) {
    INFO(id);
    CHECK(log.count(id) == 1);
  }
}

TEST_CASE("Requests racing with the same messageId store it once", "[integration][dedup]") {
  TempDir dir;
  ServerProcess server(dir.path());
  constexpr int kClients = 8;
  constexpr int kRounds = 25;
  std::atomic<int> acknowledged{0};
  std::atomic<int> reported{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      HttpClient client(server.port(), 5s);
      for (int round = 0; round < kRounds; ++round) {
        const HttpResponse response = client.request("POST", "/v1/track", auth_headers(),
                                                     track_json("race-" + std::to_string(round)));
        if (response.status == 200) ++acknowledged;
        if (response.body == R"({"success":true,"duplicate":true})") ++reported;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  CHECK(acknowledged == kClients * kRounds);
  CHECK(reported == (kClients - 1) * kRounds);
  REQUIRE(server.terminate().clean());
  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.events.size() == kRounds);
  for (int round = 0; round < kRounds; ++round) {
    CHECK(log.count("race-" + std::to_string(round)) == 1);
  }
}

TEST_CASE("An id is taken again once the window has passed", "[integration][dedup]") {
  TempDir dir;
  ServerOptions options;
  options.storage_settings = {R"(dedup_window = "2s")"};
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  REQUIRE(client.request("POST", "/v1/track", auth_headers(), track_json("w-1")).body ==
          R"({"success":true})");
  CHECK(client.request("POST", "/v1/track", auth_headers(), track_json("w-1")).body ==
        R"({"success":true,"duplicate":true})");
  // Recognised for at least the window and at most one and a half.
  std::this_thread::sleep_for(3200ms);
  CHECK(client.request("POST", "/v1/track", auth_headers(), track_json("w-1")).body ==
        R"({"success":true})");
  REQUIRE(server.terminate().clean());
  CHECK(read_stored_log(server.config_path()).count("w-1") == 2);
}

TEST_CASE("With dedup off every event is stored", "[integration][dedup]") {
  TempDir dir;
  {
    ServerProcess server(dir.path());
    HttpClient client(server.port());
    REQUIRE(client.request("POST", "/v1/track", auth_headers(), track_json("o-1")).status == 200);
    REQUIRE(server.terminate().clean());
  }
  ServerOptions options;
  options.storage_settings = {R"(dedup_window = "0s")"};
  ServerProcess server(dir.path(), options);
  HttpClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    const HttpResponse response =
        client.request("POST", "/v1/batch", auth_headers(), batch_json({track_json("o-1")}));
    CHECK(response.body == R"({"success":true})");
  }
  CHECK(duplicates_counted(client) == 0.0);
  REQUIRE(server.terminate().clean());
  CHECK(read_stored_log(server.config_path()).count("o-1") == 3);
}

}  // namespace sluice::integration
