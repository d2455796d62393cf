#pragma once

// What one load run does: the parsed and checked command line of `sluice-bench`. Built once
// in main, then only read (by every thread).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/sluice_bench/payload_generator.hpp"

namespace sluice::bench {

enum class Workload : std::uint8_t {
  kTrack,  // one track event per request, POST /v1/track
  kBatch,  // batch_size events per request, POST /v1/batch
  kMix,    // one event per request, each type to its own endpoint, in the mix's ratios
};

std::optional<Workload> parse_workload(std::string_view text);
std::string_view workload_name(Workload workload);

// Where requests go: http://host[:port][/base path]. Only plain HTTP.
struct TargetUrl {
  std::string host;
  std::string port = "80";
  std::string base_path;  // without a trailing '/': "" or "/ingest"
  std::string host_header;
};

std::optional<TargetUrl> parse_target_url(std::string_view url, std::string* error);

// "identify=10,track=70,page=15,group=5"; types left out weigh 0.
std::optional<EventMix> parse_event_mix(std::string_view text, std::string* error);
std::string format_event_mix(const EventMix& mix);

inline constexpr EventMix kDefaultMix = {10, 70, 15, 5};  // identify, track, page, group
inline constexpr EventMix kTrackOnly = {0, 1, 0, 0};

struct LoadOptions {
  std::string url = "http://127.0.0.1:8080";
  TargetUrl target;
  unsigned connections = 64;
  unsigned threads = 0;  // 0: one per hardware thread
  // Open loop when > 0: requests per second over all connections, on a fixed schedule.
  double rate = 0;
  // Open loop: connections wake for their slots once per pacing step, not at each slot
  // (open_loop_schedule.hpp). Zero: at each slot's time.
  std::chrono::microseconds pacing{1000};
  std::chrono::milliseconds duration{0};      // 0: until `requests` are done
  std::chrono::milliseconds warmup{0};        // load before measuring, not counted
  std::chrono::milliseconds timeout{10'000};  // per request, connect included
  std::uint64_t requests = 0;                 // 0: until `duration` passes
  Workload workload = Workload::kTrack;
  std::uint32_t batch_size = 100;
  // Mix workload: the types of the requests; batch workload: the types of the items. Parsed
  // from mix_text; without one, kDefaultMix for mix and track only for batch.
  std::string mix_text;
  EventMix mix = kTrackOnly;
  bool gzip = false;
  // libdeflate level 1 compresses about 400 MB/s, level 6 half that: compressing is the one
  // per-request cost that could make the generator the bottleneck, and the server's inflate
  // costs about the same at any level.
  int gzip_level = 1;
  bool browser = false;  // text/plain, writeKey in the body, short paths (/v1/t, /v1/b)
  std::string write_key = "bench_write_key";
  std::uint64_t users = 10'000;
  double zipf_s = 1.1;
  std::string json_path;   // the summary as JSON, when set
  std::string acked_path;  // the messageIds of acknowledged events, when set
  bool progress = true;    // a line per second on stderr

  bool open_loop() const { return rate > 0; }
};

// Fills in defaults that depend on other options and checks the combination; the message
// names the offending option.
bool finish_options(LoadOptions& options, std::string* error);

}  // namespace sluice::bench
