// Delivery through the real binary: every acknowledged event reaches the destinations, also
// when the server is killed with SIGKILL in the middle of delivering.

#include <atomic>
#include <csignal>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "delivery_support.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;

constexpr int kClients = 4;
constexpr int kBatchesPerClient = 400;
constexpr int kEventsPerBatch = 10;

// Posts batches on one connection until the count is done, `stop` is set, or the server goes
// away; records the messageIds of every batch answered 200. No Catch2 assertions (threads).
void post_batches(std::uint16_t port, const std::string& prefix, const std::atomic<bool>& stop,
                  std::vector<std::string>& acknowledged) {
  try {
    HttpClient client(port, 5s);
    int counter = 0;
    for (int batch = 0; batch < kBatchesPerClient && !stop.load(); ++batch) {
      std::vector<std::string> ids, items;
      for (int n = 0; n < kEventsPerBatch; ++n) {
        ids.push_back(prefix + std::to_string(counter++));
        items.push_back(track_json(ids.back()));
      }
      const HttpResponse response =
          client.request("POST", "/v1/batch", auth_headers(), batch_json(items));
      if (response.status != 200) break;
      acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
    }
  } catch (const std::exception&) {
    // The server was killed under us: expected.
  }
}

}  // namespace

TEST_CASE("SIGKILL during delivery loses no acknowledged event at any destination",
          "[integration][delivery]") {
  const auto seed = std::random_device{}();
  INFO("random seed " << seed);
  std::mt19937 random(seed);
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.extra_config = file_destination_toml("first", dir.path() / "first", 50) +
                         file_destination_toml("second", dir.path() / "second", 7);
  auto server = std::make_unique<ServerProcess>(dir.path(), options);
  std::set<std::string> acknowledged;

  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    std::atomic<bool> stop{false};
    std::vector<std::vector<std::string>> acked(kClients);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back(post_batches, server->port(),
                           "r" + std::to_string(round) + "c" + std::to_string(c) + "-",
                           std::cref(stop), std::ref(acked[c]));
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 600)(random)));
    const DeliveryProgress progress = delivery_progress(server->port(), "second");
    server->kill();
    stop = true;
    for (auto& client : clients) client.join();
    for (const auto& ids : acked) acknowledged.insert(ids.begin(), ids.end());
    INFO("killed at cursor " << progress.cursor << " of " << progress.last_sequence);
    server = std::make_unique<ServerProcess>(dir.path(), options);
  }

  REQUIRE(acknowledged.size() > 0);
  for (const std::string destination : {"first", "second"}) {
    INFO("destination " << destination);
    REQUIRE(wait_until_delivered(server->port(), destination, 60s));
  }
  const ExitStatus stopped = server->terminate();
  INFO("server output:\n" << server->output());
  CHECK(stopped.clean());

  for (const std::string destination : {"first", "second"}) {
    INFO("destination " << destination);
    const auto delivered = delivered_message_ids(dir.path() / destination);
    std::size_t missing = 0;
    std::string shown;
    for (const std::string& id : acknowledged) {
      if (delivered.find(id) == delivered.end() && ++missing <= 20) shown += id + "\n";
    }
    INFO(missing << " of " << acknowledged.size() << " acknowledged events missing:\n" << shown);
    CHECK(missing == 0);
  }
}

}  // namespace sluice::integration
