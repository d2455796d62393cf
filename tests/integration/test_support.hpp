#pragma once

// Helpers shared by the integration test files: JSON comparison, timestamps, gzip, request
// bodies, Prometheus text parsing, and a fixture that runs one server per test case.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "http_client.hpp"
#include "server_process.hpp"

namespace sluice::integration {

inline constexpr std::string_view kWriteKey = "test_write_key";

std::string read_file(const fs::path& path);

// Deep equality of two JSON values; object key order is ignored, numbers compare by value.
bool json_equal(simdjson::dom::element a, simdjson::dom::element b);

// Polls condition every 20 ms until it holds or timeout passes; its last answer.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// Milliseconds since the epoch of a `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp; nullopt for any
// other form.
std::optional<std::int64_t> parse_utc_millis(std::string_view text);
std::int64_t now_millis();

// Whole-buffer gzip (libdeflate).
std::string gzip(std::string_view data);

// A valid track message with this messageId (and no writeKey).
std::string track_json(std::string_view message_id, std::string_view event = "Test Event");
// {"batch":[...items...]} from already serialised items.
std::string batch_json(const std::vector<std::string>& items);

// The Authorization header carrying the test write key.
Headers auth_headers(Headers extra = {});

// Checks a 4xx/5xx answer: status, JSON content type, and a {"code","message"} body with this
// code (both strings). Records Catch2 assertions.
void check_error(const HttpResponse& response, unsigned status, std::string_view code);

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the Prometheus text exposition format (comment lines skipped).
std::vector<MetricSample> parse_metrics(std::string_view text);
// The first sample named `name` whose labels include all of `labels`.
std::optional<double> metric_value(const std::vector<MetricSample>& samples, std::string_view name,
                                   const std::map<std::string, std::string>& labels = {});

// One server on a fresh temp dir plus a client, for TEST_CASE_METHOD. Catch2 re-creates the
// fixture for every SECTION, so sections never share state.
class ServerFixture {
 public:
  ServerFixture(ServerOptions options = {});

  // Number of events in the log right now.
  std::size_t stored_count();
  StoredLog stored();

 protected:
  TempDir dir_;
  ServerProcess server_;
  HttpClient client_;
};

}  // namespace sluice::integration
