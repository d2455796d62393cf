#pragma once

// Helpers for the delivery integration tests: destination config snippets, waiting for a
// destination to catch up (through /metrics), and reading back what the file destination wrote.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server_process.hpp"
#include "tests/support/http_sink.hpp"

namespace sluice::integration {

// A [[destinations]] table of type webhook posting to url, batches of batch_max_events, with
// quick retries.
std::string webhook_destination_toml(std::string_view name, const std::string& url,
                                     int batch_max_events);

// A webhook endpoint that is down (503) until the test brings it up.
struct DownableSink {
  DownableSink();
  test::HttpSink sink;
  std::atomic<bool> down{true};
};

// A [[destinations]] table of type file writing into dir, batches of batch_max_events.
std::string file_destination_toml(std::string_view name, const fs::path& dir,
                                  int batch_max_events = 100);

// sluice_router_cursor of destination, and sluice_log_last_sequence, from GET /metrics.
struct DeliveryProgress {
  std::uint64_t cursor = 0;
  std::uint64_t last_sequence = 0;
};
DeliveryProgress delivery_progress(std::uint16_t port, std::string_view destination);

// Waits until the destination's cursor reached the log's last sequence; false on timeout.
bool wait_until_delivered(std::uint16_t port, std::string_view destination,
                          std::chrono::milliseconds timeout);

// messageId -> how often it appears in the complete NDJSON files of dir (hidden in-progress
// files are not read). Throws on a line that is not a JSON object with a messageId.
std::map<std::string, int, std::less<>> delivered_message_ids(const fs::path& dir);

}  // namespace sluice::integration
