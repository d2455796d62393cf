// The admin API of the real binary: a bearer token guards it, and pause, resume and replay act
// on a destination's delivery as the files it writes show.

#include <thread>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "delivery_support.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAdminToken = "admin-token-0123456789";

// A server with one file destination ("files", in <work>/files) and the admin API.
struct AdminFixture {
  TempDir dir;
  ServerProcess server{dir.path(), options()};
  HttpClient intake{server.port(), 5s};
  HttpClient admin{server.admin_port(), 5s};

  ServerOptions options() const {
    ServerOptions options;
    options.durability = "wal";
    options.extra_config = file_destination_toml("files", dir.path() / "files", 10) +
                           "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                           std::string(kAdminToken) + "\"\n";
    return options;
  }

  HttpResponse call(std::string_view method, std::string_view target, std::string_view body = {}) {
    return admin.request(method, target, {{"Authorization", "Bearer " + std::string(kAdminToken)}},
                         body);
  }

  // The destination's status from GET /v1/destinations/files.
  simdjson::dom::element status() {
    const HttpResponse response = call("GET", "/v1/destinations/files");
    REQUIRE(response.status == 200);
    simdjson::dom::element element;
    REQUIRE_FALSE(parser.parse(response.body).get(element));
    return element;
  }

  std::string state() { return std::string(status()["state"].get_string().value()); }

  // Waits until the destination delivered `count` events since the server started.
  bool delivered_events_reach(std::uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (status()["delivered_events"].get_uint64().value() >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  simdjson::dom::parser parser;

  void post_events(const std::string& prefix, int count) {
    std::vector<std::string> items;
    for (int n = 0; n < count; ++n) items.push_back(track_json(prefix + std::to_string(n)));
    REQUIRE(intake.request("POST", "/v1/batch", auth_headers(), batch_json(items)).status == 200);
  }

  std::size_t delivered_count() {
    std::size_t count = 0;
    for (const auto& [id, times] : delivered_message_ids(dir.path() / "files")) {
      count += static_cast<std::size_t>(times);
    }
    return count;
  }
};

}  // namespace

TEST_CASE("The admin API needs its bearer token", "[integration][admin]") {
  AdminFixture fixture;
  CHECK(fixture.admin.request("GET", "/v1/destinations").status == 401);
  CHECK(fixture.admin.request("GET", "/v1/destinations", {{"Authorization", "Bearer wrong"}})
            .status == 401);
  const HttpResponse listed = fixture.call("GET", "/v1/destinations");
  REQUIRE(listed.status == 200);
  CHECK_THAT(listed.body, Catch::Contains(R"("name":"files")"));
  CHECK_THAT(listed.body, Catch::Contains(R"("type":"file")"));
  CHECK(fixture.call("GET", "/v1/destinations/nope").status == 404);
  // The tracking API does not serve it.
  CHECK(fixture.intake.request("GET", "/v1/destinations").status == 404);
}

TEST_CASE("Pause holds delivery, resume drains it, replay delivers again", "[integration][admin]") {
  AdminFixture fixture;
  fixture.post_events("before-", 20);
  REQUIRE(wait_until_delivered(fixture.server.port(), "files", 10s));

  REQUIRE(fixture.call("POST", "/v1/destinations/files/pause").status == 200);
  CHECK(fixture.state() == "paused");
  fixture.post_events("paused-", 20);
  std::this_thread::sleep_for(500ms);
  DeliveryProgress progress = delivery_progress(fixture.server.port(), "files");
  CHECK(progress.cursor == 20);
  CHECK(progress.last_sequence == 40);

  REQUIRE(fixture.call("POST", "/v1/destinations/files/resume").status == 200);
  REQUIRE(wait_until_delivered(fixture.server.port(), "files", 10s));
  CHECK(fixture.state() == "running");

  const HttpResponse replayed =
      fixture.call("POST", "/v1/destinations/files/replay", R"({"from_sequence":31})");
  REQUIRE(replayed.status == 200);
  CHECK(replayed.body == R"({"cursor":30})");
  REQUIRE(fixture.delivered_events_reach(50));
  // Files are complete (visible) once the server stops: 40 events once, then 31..40 again.
  CHECK(fixture.server.terminate().clean());
  CHECK(fixture.delivered_count() == 50);
}

}  // namespace sluice::integration
