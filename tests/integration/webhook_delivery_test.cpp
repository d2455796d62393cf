// Webhook delivery through the real binary, against an HTTP sink started by the test: a batch
// the sink refuses for good is dead-lettered and later redelivered through the admin API; a
// destination that is down holds its backlog on disk, not in memory, delays no other
// destination, and drains when it returns.

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "delivery_support.hpp"
#include "test_support.hpp"
#include "tests/support/http_sink.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAdminToken = "admin-token-0123456789";

// AddressSanitizer holds freed memory in quarantine (256 MB by default) before reusing it, so a
// sanitized server's resident memory follows how much it has allocated, not how much it keeps.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kResidentMemoryMeansLiveMemory = false;
#else
constexpr bool kResidentMemoryMeansLiveMemory = true;
#endif

// Resident memory of a process, in KiB.
long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
  }
  return -1;
}

// Every messageId in the bodies the sink answered with 2xx, {"batch":[...]} each.
std::multiset<std::string> accepted_message_ids(const test::HttpSink& sink) {
  std::multiset<std::string> ids;
  simdjson::dom::parser parser;
  for (const test::SinkRequest& request : sink.requests()) {
    if (request.answered < 200 || request.answered >= 300) continue;
    simdjson::dom::array batch;
    REQUIRE_FALSE(parser.parse(request.body)["batch"].get(batch));
    for (simdjson::dom::element event : batch) {
      std::string_view id;
      REQUIRE_FALSE(event["messageId"].get(id));
      ids.emplace(id);
    }
  }
  return ids;
}

// Posts count events as one batch; returns their messageIds.
std::vector<std::string> post(HttpClient& client, const std::string& prefix, int count,
                              std::size_t pad = 0) {
  std::vector<std::string> ids, items;
  const std::string padding(pad, 'x');
  for (int n = 0; n < count; ++n) {
    ids.push_back(prefix + std::to_string(n));
    items.push_back(track_json(ids.back(), pad ? "Padded " + padding : "Test Event"));
  }
  REQUIRE(client.request("POST", "/v1/batch", auth_headers(), batch_json(items)).status == 200);
  return ids;
}

}  // namespace

TEST_CASE("A refused batch is dead-lettered, and redelivered through the admin API",
          "[integration][webhook][admin]") {
  test::HttpSink sink;
  std::atomic<bool> accept_poison{false};
  sink.respond_with([&](const test::SinkRequest& request) {
    const bool poison = request.body.find("poison-") != std::string::npos;
    return test::SinkAnswer{poison && !accept_poison ? 400u : 200u, {}, "{}"};
  });
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.extra_config = webhook_destination_toml("hook", sink.url("/collect"), 5) +
                         "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                         std::string(kAdminToken) + "\"\n";
  ServerProcess server(dir.path(), options);
  HttpClient intake(server.port(), 5s);
  HttpClient admin(server.admin_port(), 5s);
  const Headers bearer{{"Authorization", "Bearer " + std::string(kAdminToken)}};

  std::vector<std::string> expected;
  for (const char* prefix : {"before-", "poison-", "after-"}) {
    const auto ids = post(intake, prefix, 5);
    expected.insert(expected.end(), ids.begin(), ids.end());
    REQUIRE(wait_until_delivered(server.port(), "hook", 10s));
  }
  // The loop went on past the refused batch.
  auto accepted = accepted_message_ids(sink);
  CHECK(accepted.count("after-4") == 1);
  CHECK(accepted.count("poison-0") == 0);

  HttpResponse listed = admin.request("GET", "/v1/destinations/hook/dead-letters", bearer);
  REQUIRE(listed.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::array letters;
  REQUIRE_FALSE(parser.parse(listed.body)["dead_letters"].get(letters));
  REQUIRE(letters.size() == 1);
  const std::uint64_t id = letters.at(0)["id"].get_uint64().value();
  CHECK(letters.at(0)["events"].get_uint64().value() == 5);
  CHECK_THAT(std::string(letters.at(0)["reason"].get_string().value()),
             Catch::StartsWith("http_400"));

  const std::string letter_path = "/v1/destinations/hook/dead-letters/" + std::to_string(id);
  const HttpResponse shown = admin.request("GET", letter_path, bearer);
  REQUIRE(shown.status == 200);
  CHECK_THAT(shown.body, Catch::Contains(R"("messageId":"poison-4")"));

  accept_poison = true;
  REQUIRE(admin.request("POST", letter_path + "/redeliver", bearer).status == 202);
  bool gone = false;
  for (int attempt = 0; attempt < 500 && !gone; ++attempt) {
    listed = admin.request("GET", "/v1/destinations/hook/dead-letters", bearer);
    gone = listed.body == R"({"dead_letters":[]})";
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  CHECK(gone);
  accepted = accepted_message_ids(sink);
  for (const std::string& message_id : expected) {
    INFO(message_id);
    CHECK(accepted.count(message_id) == 1);
  }
  CHECK(server.terminate().clean());
}

TEST_CASE("A destination that is down grows its backlog on disk, not in memory",
          "[integration][webhook]") {
  DownableSink hook;
  test::HttpSink& sink = hook.sink;
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.extra_config = webhook_destination_toml("hook", sink.url("/collect"), 500) +
                         file_destination_toml("files", dir.path() / "files", 500);
  ServerProcess server(dir.path(), options);
  HttpClient intake(server.port(), 10s);

  // Each phase stores about 48 MB: more than RocksDB's memtables hold, so the second phase
  // shows whether memory follows the backlog.
  constexpr int kRequestsPerPhase = 120;
  constexpr int kEventsPerRequest = 400;
  std::set<std::string> posted;
  std::vector<long> resident;
  for (int phase = 0; phase < 2; ++phase) {
    for (int request = 0; request < kRequestsPerPhase; ++request) {
      const auto ids =
          post(intake, "p" + std::to_string(phase) + "r" + std::to_string(request) + "-",
               kEventsPerRequest, 800);
      posted.insert(ids.begin(), ids.end());
    }
    // The other destination keeps up while this one is down.
    REQUIRE(wait_until_delivered(server.port(), "files", 60s));
    CHECK(delivery_progress(server.port(), "hook").cursor == 0);
    resident.push_back(resident_kib(server.pid()));
  }
  INFO("resident KiB after each phase: " << resident[0] << ", " << resident[1]);
  if (kResidentMemoryMeansLiveMemory) CHECK(resident[1] - resident[0] < 48 * 1024);

  hook.down = false;
  REQUIRE(wait_until_delivered(server.port(), "hook", 120s));
  const auto accepted = accepted_message_ids(sink);
  std::size_t missing = 0;
  for (const std::string& id : posted) missing += accepted.count(id) == 0 ? 1 : 0;
  CHECK(missing == 0);
  CHECK(server.terminate().clean());
}

}  // namespace sluice::integration
