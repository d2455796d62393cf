#pragma once

// JSON response bodies of the Tracking API (docs/protocol.md §5). Every response, error or
// not, is a JSON object: some SDKs parse every body and retry on anything else.

#include <span>
#include <string>
#include <string_view>

#include "api/ingestor.hpp"

namespace sluice::api {

// A message not stored because its messageId was stored before within the dedup window.
struct Duplicate {
  std::size_t index = 0;  // in the request's batch
  std::string_view message_id;
};

// {"success":true}; with rejected messages "rejected":[{index,code,message}]; with duplicates
// "duplicates":[{index,messageId}], or "duplicate":true for a single-message request.
std::string success_body(std::span<const Rejection> rejected = {},
                         std::span<const Duplicate> duplicates = {}, bool single = false);

// {"code":"...","message":"..."}
std::string error_body(std::string_view code, std::string_view message);

// The settings document analytics.js and the mobile SDKs load at start-up (§9). public_host
// (host[:port]) becomes apiHost; empty leaves it out so clients keep their own host.
std::string settings_body(std::string_view write_key, std::string_view public_host);

}  // namespace sluice::api
