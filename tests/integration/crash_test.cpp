// Crash safety: every event acknowledged with 200 is in the log after the server is killed
// with SIGKILL mid-traffic and restarted on the same data, in both durability modes.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Rounds per durability mode; SLUICE_CRASH_ROUNDS overrides it (make soak runs 100).
constexpr int kDefaultRounds = 3;
constexpr int kClients = 8;
constexpr int kMaxRequestsPerClient = 20000;
constexpr auto kClientTimeLimit = 5s;
constexpr int kMaxMissingShown = 50;

// Sends single tracks and 3-message batches on one keep-alive connection until the server
// goes away, `stop` is set, or the count/time limits pass. Records the messageIds of every
// request answered 200 without rejections. Uses no Catch2 assertions (not thread-safe).
void run_client(std::uint16_t port, const std::string& prefix, const std::atomic<bool>& stop,
                std::vector<std::string>& acknowledged) {
  const Headers headers = auth_headers();
  const auto deadline = Clock::now() + kClientTimeLimit;
  int counter = 0;
  try {
    HttpClient client(port, 5s);
    for (int request = 0; request < kMaxRequestsPerClient; ++request) {
      if (stop.load() || Clock::now() >= deadline) break;
      std::vector<std::string> ids;
      HttpResponse response;
      if (request % 4 == 3) {
        std::vector<std::string> items;
        for (int i = 0; i < 3; ++i) {
          ids.push_back(prefix + std::to_string(counter++));
          items.push_back(track_json(ids.back()));
        }
        response = client.request("POST", "/v1/batch", headers, batch_json(items));
      } else {
        ids.push_back(prefix + std::to_string(counter++));
        response = client.request("POST", "/v1/track", headers, track_json(ids.back()));
      }
      if (response.status != 200 || response.body != R"({"success":true})") break;
      acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
    }
  } catch (const std::exception&) {
    // The server was killed under us: expected.
  }
}

}  // namespace

TEST_CASE("Acknowledged events survive SIGKILL and restart", "[integration][crash]") {
  const std::string durability = GENERATE(as<std::string>{}, "fsync", "wal");
  INFO("durability " << durability);
  const auto seed = std::random_device{}();
  INFO("random seed " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(100, 600);

  TempDir dir;
  ServerOptions options;
  options.durability = durability;
  auto server = std::make_unique<ServerProcess>(dir.path(), options);
  std::set<std::string> acknowledged;
  const char* rounds_override = std::getenv("SLUICE_CRASH_ROUNDS");
  const int rounds = rounds_override ? std::max(1, std::atoi(rounds_override)) : kDefaultRounds;
  std::size_t lost = 0;

  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    std::atomic<bool> stop{false};
    std::vector<std::vector<std::string>> acked(kClients);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      std::string prefix =
          durability + "-r" + std::to_string(round) + "-t" + std::to_string(c) + "-";
      clients.emplace_back(run_client, server->port(), prefix, std::cref(stop), std::ref(acked[c]));
    }
    const int delay = kill_after_ms(random);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ExitStatus killed = server->kill();
    stop = true;
    for (auto& client : clients) client.join();
    CHECK(killed.signal == SIGKILL);

    std::size_t round_acked = 0;
    for (const auto& ids : acked) {
      round_acked += ids.size();
      acknowledged.insert(ids.begin(), ids.end());
    }
    INFO("killed after " << delay << " ms; " << round_acked << " events acknowledged this round");
    CHECK(round_acked > 0);

    server = std::make_unique<ServerProcess>(dir.path(), options);
    StoredLog log = read_stored_log(server->config_path());
    std::vector<std::string> missing;
    for (const auto& id : acknowledged) {
      if (log.count(id) == 0) missing.push_back(id);
    }
    std::string shown;
    for (std::size_t i = 0; i < missing.size() && i < kMaxMissingShown; ++i) {
      shown += missing[i] + "\n";
    }
    INFO(missing.size() << " of " << acknowledged.size() << " acknowledged events missing:\n"
                        << shown);
    CHECK(missing.empty());
    lost += missing.size();

    bool increasing = true;
    for (std::size_t i = 1; i < log.sequences.size(); ++i) {
      if (log.sequences[i] <= log.sequences[i - 1]) increasing = false;
    }
    CHECK(increasing);
    CHECK(log.events.size() >= acknowledged.size());
  }

  // The soak's figure, on stdout whether or not anything failed.
  std::printf("crash soak, durability %s: %d SIGKILL rounds, %zu events acknowledged, %zu lost\n",
              durability.c_str(), rounds, acknowledged.size(), lost);
  ExitStatus stopped = server->terminate();
  INFO("server output:\n" << server->output());
  CHECK(stopped.clean());
}

}  // namespace sluice::integration
