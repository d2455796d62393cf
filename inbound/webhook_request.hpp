#pragma once

// A webhook request as a source reader sees it: the decoded body and the few things of the
// HTTP request that providers sign or authenticate with. Free of any HTTP library, so readers
// are tested with plain strings.

#include <cstdint>
#include <functional>
#include <string_view>

namespace sluice::inbound {

// What became of one webhook request, whichever reader read it.
enum class ReadStatus : std::uint8_t {
  kOk,
  kInvalidSignature,  // bad or missing signature, stale timestamp, wrong credentials
  kInvalidBody,       // not a body the sender could have sent
};

struct WebhookRequest {
  std::string_view body;          // decoded (Content-Encoding undone)
  std::string_view content_type;  // the Content-Type header, parameters included
  // A header's value by case-insensitive name; empty when the request has none.
  std::function<std::string_view(std::string_view name)> header;
  // The URL the provider called, scheme and host included ("https://host/v1/webhook/KEY"):
  // Mandrill signs it.
  std::string_view url;
  std::int64_t now_ms = 0;  // the request's receive time, Unix milliseconds

  // The header's value; empty when absent, or when no lookup was given.
  std::string_view header_value(std::string_view name) const {
    return header ? header(name) : std::string_view{};
  }
};

}  // namespace sluice::inbound
