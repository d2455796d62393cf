#include "bench/sluice_bench/load_options.hpp"

#include <charconv>
#include <string>
#include <thread>

namespace sluice::bench {
namespace {

// A longer step would send a run's requests in bursts far ahead of their schedule.
constexpr std::chrono::microseconds kMaxPacing{10'000};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Workload> parse_workload(std::string_view text) {
  if (text == "track") return Workload::kTrack;
  if (text == "batch") return Workload::kBatch;
  if (text == "mix") return Workload::kMix;
  return std::nullopt;
}

std::string_view workload_name(Workload workload) {
  switch (workload) {
    case Workload::kTrack:
      return "track";
    case Workload::kBatch:
      return "batch";
    case Workload::kMix:
      return "mix";
  }
  return "track";
}

std::optional<TargetUrl> parse_target_url(std::string_view url, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    *error = "--url must start with http:// (https is not supported): " + std::string(url);
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);

  TargetUrl target;
  target.host_header = std::string(authority);
  std::string_view host = authority;
  if (authority.starts_with('[')) {  // [v6 address]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *error = "--url has an unterminated IPv6 address: " + std::string(url);
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(':')) target.port = std::string(after.substr(1));
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    target.port = std::string(authority.substr(colon + 1));
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(target.port.data(), target.port.data() + target.port.size(), port);
  if (host.empty() || ec != std::errc() || end != target.port.data() + target.port.size() ||
      port == 0 || port > 65535) {
    *error = "--url needs a host and a valid port: " + std::string(url);
    return std::nullopt;
  }
  target.host = std::string(host);
  target.base_path = std::string(path);
  return target;
}

std::optional<EventMix> parse_event_mix(std::string_view text, std::string* error) {
  EventMix mix{};
  std::uint64_t total = 0;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const std::size_t equals = item.find('=');
    std::string_view name = trim(item.substr(0, equals));
    std::string_view number = equals == std::string_view::npos ? "" : trim(item.substr(equals + 1));
    std::uint32_t weight = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
    bool known = false;
    for (EventType type : kEventTypes) {
      if (event_type_name(type) == name) {
        mix[static_cast<std::size_t>(type)] = weight;
        known = true;
      }
    }
    if (!known || number.empty() || ec != std::errc() || end != number.data() + number.size()) {
      *error = "--mix takes type=weight pairs of identify, track, page, group; not \"" +
               std::string(item) + "\"";
      return std::nullopt;
    }
    total += weight;
  }
  if (total == 0) {
    *error = "--mix needs at least one type with a weight above 0";
    return std::nullopt;
  }
  return mix;
}

std::string format_event_mix(const EventMix& mix) {
  std::string text;
  for (EventType type : kEventTypes) {
    const std::uint32_t weight = mix[static_cast<std::size_t>(type)];
    if (weight == 0) continue;
    if (!text.empty()) text += ',';
    text += event_type_name(type);
    text += '=';
    text += std::to_string(weight);
  }
  return text;
}

bool finish_options(LoadOptions& options, std::string* error) {
  auto target = parse_target_url(options.url, error);
  if (!target) return false;
  options.target = std::move(*target);
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  if (options.connections == 0) {
    *error = "--connections must be at least 1";
    return false;
  }
  // Every thread gets at least one connection; more threads than that would idle.
  options.threads = std::min(options.threads, options.connections);
  if (options.duration.count() == 0 && options.requests == 0) {
    options.duration = std::chrono::seconds(10);
  }
  if (options.rate < 0) {
    *error = "--rate must be positive (or absent for a closed loop)";
    return false;
  }
  if (options.pacing < std::chrono::microseconds::zero() || options.pacing > kMaxPacing) {
    *error = "--pacing-us must be between 0 and " + std::to_string(kMaxPacing.count());
    return false;
  }
  if (options.workload == Workload::kBatch &&
      (options.batch_size == 0 || options.batch_size > 2500)) {
    *error = "--batch-size must be between 1 and 2500 (the server refuses larger batches)";
    return false;
  }
  if (!options.mix_text.empty()) {
    if (options.workload == Workload::kTrack) {
      *error = "--mix applies to the mix and batch workloads, not to track";
      return false;
    }
    auto mix = parse_event_mix(options.mix_text, error);
    if (!mix) return false;
    options.mix = *mix;
  } else {
    options.mix = options.workload == Workload::kMix ? kDefaultMix : kTrackOnly;
  }
  if (options.gzip_level < 1 || options.gzip_level > 12) {
    *error = "--gzip-level must be between 1 and 12";
    return false;
  }
  if (options.users == 0) {
    *error = "--users must be at least 1";
    return false;
  }
  if (!(options.zipf_s > 0)) {
    *error = "--zipf-s must be above 0";
    return false;
  }
  if (options.timeout.count() <= 0) {
    *error = "--timeout must be above 0";
    return false;
  }
  return true;
}

}  // namespace sluice::bench
