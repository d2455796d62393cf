// Overload and slow clients through the real binary: deadlines cut off slow senders, a flood
// of connections beyond max_connections or the open file limit is refused without harming the
// log and ends without a restart, and a backlog over its limit answers 503 until it drains.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include "delivery_support.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Whether the server closes the connection (without an answer) within `within`.
bool closed_by_server(HttpClient& client, std::chrono::milliseconds within) {
  const auto started = Clock::now();
  try {
    client.read_response();
    return false;  // it answered
  } catch (const boost::system::system_error&) {
    return Clock::now() - started < within;
  }
}

// Posts a batch of `count` padded events; the answer's status.
unsigned post_batch(HttpClient& client, const std::string& prefix, int count, std::size_t pad) {
  std::vector<std::string> items;
  for (int n = 0; n < count; ++n) {
    items.push_back(track_json(prefix + std::to_string(n), "Padded " + std::string(pad, 'x')));
  }
  return client.request("POST", "/v1/batch", auth_headers(), batch_json(items)).status;
}

// A fresh connection's answer to GET /health: its status, or 0 when the connection is refused
// or closed unanswered.
unsigned health_on_new_connection(std::uint16_t port) {
  try {
    HttpClient client(port, 2s);
    return client.request("GET", "/health").status;
  } catch (const boost::system::system_error&) {
    return 0;
  }
}

// Polls a fresh connection's /health until it answers 200 or `within` passes.
bool serves_again(std::uint16_t port, std::chrono::seconds within) {
  const auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (health_on_new_connection(port) == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("Slow senders are cut off at the header and body deadlines", "[integration][overload]") {
  TempDir dir;
  ServerOptions options;
  options.server_settings = {"header_timeout = \"300ms\"", "body_timeout = \"300ms\""};
  ServerProcess server(dir.path(), options);

  SECTION("a header sent a byte at a time") {
    HttpClient slow(server.port(), 5s);
    slow.write_raw("POST /v1/track HTTP/1.1\r\nHost: x\r\n");
    bool cut_off = false;
    for (int n = 0; n < 30 && !cut_off; ++n) {  // 3 s of drip at most
      std::this_thread::sleep_for(100ms);
      try {
        slow.write_raw("X");
      } catch (const boost::system::system_error&) {
        cut_off = true;
      }
    }
    CHECK((cut_off || closed_by_server(slow, 2s)));
  }
  SECTION("a body that stops halfway") {
    HttpClient stalled(server.port(), 5s);
    stalled.write_raw(
        "POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dGVzdF93cml0ZV9rZXk6\r\n"
        "Content-Length: 100\r\n\r\n{\"userId\":");
    CHECK(closed_by_server(stalled, 3s));
  }
  // Meanwhile and afterwards the server serves everyone else.
  CHECK(health_on_new_connection(server.port()) == 200);
  CHECK(server.terminate().clean());
}

TEST_CASE("A connection flood beyond max_connections is refused and ends without a restart",
          "[integration][overload]") {
  TempDir dir;
  ServerOptions options;
  options.server_settings = {"max_connections = 20"};
  ServerProcess server(dir.path(), options);
  HttpClient kept(server.port(), 5s);  // holds one of the 20 slots from before the flood
  REQUIRE(kept.request("GET", "/health").status == 200);

  std::vector<std::unique_ptr<HttpClient>> flood;
  for (int n = 0; n < 40; ++n) {
    flood.push_back(std::make_unique<HttpClient>(server.port(), 2s));
    flood.back()->connect();
  }
  std::this_thread::sleep_for(200ms);  // all accepted or refused by now
  CHECK(health_on_new_connection(server.port()) == 0);
  // A connection from before the flood is still served, and so is intake on it.
  CHECK(post_batch(kept, "kept-", 10, 10) == 200);

  flood.clear();
  CHECK(serves_again(server.port(), 10s));
  const auto metrics = parse_metrics(kept.request("GET", "/metrics").body);
  CHECK(metric_value(metrics, "sluice_http_refused_connections_total").value_or(0) >= 20);
  CHECK(server.terminate().clean());
}

TEST_CASE("A connection flood under a low open file limit leaves the log its descriptors",
          "[integration][overload]") {
  // 256 descriptors: the server keeps 64 out of the connections' reach. The flood takes every
  // connection slot while intake writes more than a memtable holds, so RocksDB must open new
  // files (a table file and a WAL) in the middle of it.
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.open_file_limit = 256;
  ServerProcess server(dir.path(), options);
  HttpClient intake(server.port(), 10s);
  REQUIRE(intake.request("GET", "/health").status == 200);

  std::vector<std::unique_ptr<HttpClient>> flood;
  for (int n = 0; n < 300; ++n) {
    flood.push_back(std::make_unique<HttpClient>(server.port(), 2s));
    try {
      flood.back()->connect();
    } catch (const boost::system::system_error&) {
      flood.pop_back();  // the listen queue is full: that is a refusal too
    }
  }
  std::this_thread::sleep_for(200ms);
  // 48 MB in 120 batches: past the 32 MB memtable.
  int refused = 0;
  for (int request = 0; request < 120; ++request) {
    if (post_batch(intake, "r" + std::to_string(request) + "-", 400, 800) != 200) ++refused;
  }
  CHECK(refused == 0);
  flood.clear();
  CHECK(serves_again(server.port(), 10s));
  CHECK(post_batch(intake, "after-", 10, 10) == 200);
  CHECK(server.terminate().clean());
}

TEST_CASE("A backlog over its limit answers 503 with Retry-After until a destination drains it",
          "[integration][overload]") {
  DownableSink hook;
  TempDir dir;
  ServerOptions options;
  options.durability = "wal";
  options.server_settings = {"retry_after = \"2s\""};
  options.extra_config = webhook_destination_toml("hook", hook.sink.url("/collect"), 500);
  options.storage_settings = {"max_backlog_bytes = \"2MiB\""};
  ServerProcess server(dir.path(), options);
  HttpClient intake(server.port(), 10s);

  // Each batch is about 330 KB; the backlog passes 2 MiB within a few.
  HttpResponse refused;
  for (int request = 0; request < 100 && refused.status != 503; ++request) {
    std::vector<std::string> items;
    for (int n = 0; n < 400; ++n) {
      items.push_back(track_json("b" + std::to_string(request) + "-" + std::to_string(n),
                                 "Padded " + std::string(800, 'x')));
    }
    refused = intake.request("POST", "/v1/batch", auth_headers(), batch_json(items));
    REQUIRE((refused.status == 200 || refused.status == 503));
  }
  REQUIRE(refused.status == 503);
  check_error(refused, 503, "backlog_full");
  CHECK(refused.header("Retry-After") == "2");
  CHECK(intake.request("GET", "/ready").status == 503);

  hook.down = false;
  REQUIRE(wait_until_delivered(server.port(), "hook", 60s));
  const auto deadline = Clock::now() + 30s;
  unsigned status = 0;
  while (status != 200 && Clock::now() < deadline) {
    status = post_batch(intake, "after-", 10, 10);
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  CHECK(status == 200);
  CHECK(intake.request("GET", "/ready").status == 200);
  CHECK(server.terminate().clean());
}

}  // namespace sluice::integration
