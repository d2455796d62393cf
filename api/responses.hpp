#pragma once

// JSON response bodies of the Tracking API (docs/protocol.md §5). Every response, error or
// not, is a JSON object: some SDKs parse every body and retry on anything else.

#include <span>
#include <string>
#include <string_view>

#include "api/ingestor.hpp"

namespace sluice::api {

// {"success":true} or, with rejected messages, {"success":true,"rejected":[{index,code,message}]}
std::string success_body(std::span<const Rejection> rejected = {});

// {"code":"...","message":"..."}
std::string error_body(std::string_view code, std::string_view message);

// The settings document analytics.js and the mobile SDKs load at start-up (§9). public_host
// (host[:port]) becomes apiHost; empty leaves it out so clients keep their own host.
std::string settings_body(std::string_view write_key, std::string_view public_host);

}  // namespace sluice::api
