#pragma once

// The events a delivery loop has gathered for one deliver() call, copied out of the log so that
// they stay valid while the batch is retried. Bounded by the destination's batch_max_events and
// batch_max_bytes (the sum of the events' JSON sizes), except that a single event larger than
// batch_max_bytes still forms a batch of its own.
//
// Not thread-safe; owned by one loop.

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "router/destination.hpp"

namespace sluice::router {

class Batch {
 public:
  Batch(std::size_t max_events, std::uint64_t max_bytes)
      : max_events_(max_events), max_bytes_(max_bytes) {}

  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }
  std::uint64_t bytes() const { return bytes_; }
  bool full() const { return events_.size() >= max_events_ || bytes_ >= max_bytes_; }
  // Whether an event of json_bytes fits: always for the first event.
  bool has_room_for(std::size_t json_bytes) const;

  // Copies record in. The batch's first event sets started_at().
  void add(std::uint64_t sequence, const storage::Record& record);
  void clear();

  std::span<const OutgoingEvent> events() const { return events_; }
  std::uint64_t first_sequence() const { return events_.front().sequence; }
  std::uint64_t last_sequence() const { return events_.back().sequence; }
  std::chrono::steady_clock::time_point started_at() const { return started_at_; }

 private:
  std::size_t max_events_;
  std::uint64_t max_bytes_;
  // One string per event holding its record's text fields; a deque never moves its elements,
  // so the views in events_ stay valid as the batch grows.
  std::deque<std::string> storage_;
  std::vector<OutgoingEvent> events_;
  std::uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point started_at_;
};

}  // namespace sluice::router
