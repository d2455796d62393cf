#pragma once

// The fixed part of every request sluice-bench sends, per endpoint: request line, Host,
// User-Agent, Content-Type, auth and Content-Encoding, up to "Content-Length: ". Formatted once
// per run, so a request costs one number and the body on top of them.
//
// Immutable after construction; shared by all threads.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/sluice_bench/load_options.hpp"

namespace sluice::bench {

enum class Endpoint : std::uint8_t { kIdentify, kTrack, kPage, kGroup, kBatch };
inline constexpr std::size_t kEndpointCount = 5;

Endpoint endpoint_of(EventType type);
// "/v1/track", or the short browser path "/v1/t" (and "/v1/b" for batches) with `browser`.
std::string_view endpoint_path(Endpoint endpoint, bool browser);

class RequestHeads {
 public:
  explicit RequestHeads(const LoadOptions& options);

  std::string_view prefix(Endpoint endpoint) const {
    return prefixes_[static_cast<std::size_t>(endpoint)];
  }

 private:
  std::array<std::string, kEndpointCount> prefixes_;
};

std::string base64_encode(std::string_view bytes);

}  // namespace sluice::bench
