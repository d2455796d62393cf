#pragma once

// Which stored events a destination wants, from its config: the sources and message types it
// names (record header fields, no JSON touched), and for track events the event names it
// includes or excludes (the JSON's "event" member, read with simdjson On-Demand only when a
// name list is configured). An exclusion wins over an inclusion; include_events does not apply
// to other message types.
//
// Not thread-safe: matches() reuses one parser and buffer. One Filter per delivery loop.

#include <bitset>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "storage/record.hpp"

namespace sluice::router {

class Filter {
 public:
  explicit Filter(const config::DestinationConfig& config);
  ~Filter();
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  bool matches(const storage::Record& record);

 private:
  class EventNameReader;

  static bool contains(const std::vector<std::string>& sorted, std::string_view value);

  std::vector<std::string> sources_;  // sorted; empty: every source
  std::bitset<storage::kEventTypeCount> types_;
  std::vector<std::string> include_events_;  // sorted; empty: every track event
  std::vector<std::string> exclude_events_;  // sorted
  std::unique_ptr<EventNameReader> names_;   // null when no event name list is configured
};

}  // namespace sluice::router
