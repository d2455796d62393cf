#pragma once

// Reads the body of POST /v1/destinations/{name}/replay: a JSON object with exactly one of
//   "from_sequence": N          the first sequence to deliver again (an integer >= 0)
//   "from_time": "ISO-8601"     the first event received at or after this time (UTC when the
//                               text has no zone)
//   "from_time_ms": N           the same as milliseconds since the Unix epoch (>= 0)
// Other members are refused, so that a typo is not taken for "replay everything".
//
// Holds one simdjson parser, reused across requests: one ReplayRequestParser per thread.

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "router/router_control.hpp"

namespace sluice::admin {

class ReplayRequestParser {
 public:
  // The replay's start, or nullopt and *error: a message for the client saying what is wrong.
  std::optional<router::ReplayFrom> parse(std::string_view body, std::string* error);

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace sluice::admin
