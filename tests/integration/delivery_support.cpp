#include "delivery_support.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

#include <simdjson.h>

#include "http_client.hpp"
#include "test_support.hpp"

namespace sluice::integration {

using namespace std::chrono_literals;

std::string webhook_destination_toml(std::string_view name, const std::string& url,
                                     int batch_max_events) {
  return "\n[[destinations]]\nname = \"" + std::string(name) +
         "\"\ntype = \"webhook\"\nbatch_max_events = " + std::to_string(batch_max_events) +
         "\nbatch_max_wait = \"20ms\"\nretry_initial = \"20ms\"\nretry_max = \"200ms\"\n"
         "[destinations.webhook]\nurl = \"" +
         url + "\"\ntimeout = \"5s\"\n";
}

DownableSink::DownableSink() {
  sink.respond_with([this](const test::SinkRequest&) {
    return test::SinkAnswer{down ? 503u : 200u, {}, "{}"};
  });
}

std::string file_destination_toml(std::string_view name, const fs::path& dir,
                                  int batch_max_events) {
  return "\n[[destinations]]\nname = \"" + std::string(name) +
         "\"\ntype = \"file\"\nbatch_max_events = " + std::to_string(batch_max_events) +
         "\nbatch_max_wait = \"20ms\"\n[destinations.file]\npath = \"" + dir.string() + "\"\n";
}

DeliveryProgress delivery_progress(std::uint16_t port, std::string_view destination) {
  HttpClient client(port, 5s);
  const HttpResponse response = client.request("GET", "/metrics", {}, "");
  const auto samples = parse_metrics(response.body);
  DeliveryProgress progress;
  progress.cursor = static_cast<std::uint64_t>(
      metric_value(samples, "sluice_router_cursor", {{"destination", std::string(destination)}})
          .value_or(0));
  progress.last_sequence =
      static_cast<std::uint64_t>(metric_value(samples, "sluice_log_last_sequence").value_or(0));
  return progress;
}

bool wait_until_delivered(std::uint16_t port, std::string_view destination,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const DeliveryProgress progress = delivery_progress(port, destination);
    if (progress.last_sequence > 0 && progress.cursor >= progress.last_sequence) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::map<std::string, int, std::less<>> delivered_message_ids(const fs::path& dir) {
  std::map<std::string, int, std::less<>> ids;
  if (!fs::exists(dir)) return ids;
  simdjson::dom::parser parser;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::element event;
      std::string_view id;
      if (parser.parse(line).get(event) || event["messageId"].get(id)) {
        throw std::runtime_error("not an event line in " + entry.path().string() + ": " + line);
      }
      ++ids[std::string(id)];
    }
  }
  return ids;
}

}  // namespace sluice::integration
