#include "bench/sluice_bench/request_heads.hpp"

namespace sluice::bench {

Endpoint endpoint_of(EventType type) {
  switch (type) {
    case EventType::kIdentify:
      return Endpoint::kIdentify;
    case EventType::kTrack:
      return Endpoint::kTrack;
    case EventType::kPage:
      return Endpoint::kPage;
    case EventType::kGroup:
      return Endpoint::kGroup;
  }
  return Endpoint::kTrack;
}

std::string_view endpoint_path(Endpoint endpoint, bool browser) {
  switch (endpoint) {
    case Endpoint::kIdentify:
      return browser ? "/v1/i" : "/v1/identify";
    case Endpoint::kTrack:
      return browser ? "/v1/t" : "/v1/track";
    case Endpoint::kPage:
      return browser ? "/v1/p" : "/v1/page";
    case Endpoint::kGroup:
      return browser ? "/v1/g" : "/v1/group";
    case Endpoint::kBatch:
      return browser ? "/v1/b" : "/v1/batch";
  }
  return "/v1/track";
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t group = static_cast<std::uint8_t>(bytes[i]) << 16 |
                                static_cast<std::uint8_t>(bytes[i + 1]) << 8 |
                                static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[group >> 18];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t group = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[group >> 18];
    out += kAlphabet[(group >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

RequestHeads::RequestHeads(const LoadOptions& options) {
  for (std::size_t i = 0; i < kEndpointCount; ++i) {
    const auto endpoint = static_cast<Endpoint>(i);
    std::string& head = prefixes_[i];
    head = "POST ";
    head += options.target.base_path;
    head += endpoint_path(endpoint, options.browser);
    head += " HTTP/1.1\r\nHost: ";
    head += options.target.host_header;
    head += "\r\nUser-Agent: sluice-bench\r\n";
    // analytics.js sends text/plain with the key in the body so that browsers skip the CORS
    // preflight; server SDKs send JSON with HTTP Basic (user = write key, no password).
    if (options.browser) {
      head += "Content-Type: text/plain\r\n";
    } else {
      head += "Content-Type: application/json\r\nAuthorization: Basic ";
      head += base64_encode(options.write_key + ":");
      head += "\r\n";
    }
    if (options.gzip) head += "Content-Encoding: gzip\r\n";
    head += "Content-Length: ";
  }
}

}  // namespace sluice::bench
