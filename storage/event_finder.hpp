#pragma once

// An acknowledged event found again by its source and messageId: the dedup index gives its
// sequence, the log its record. The admin API's "where is my event" (GET /v1/events/{id}).
//
// Thread-safety: find() from any thread, while the EventLog is open.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::storage {

class EventLog;

struct FoundEvent {
  std::uint64_t sequence = 0;
  // The stored record (encode_record's bytes); empty when retention deleted it, which it does
  // only once every destination is past it.
  std::string record;
};

class EventFinder {
 public:
  EventFinder(EventLog& log, std::chrono::milliseconds dedup_window)
      : log_(log), window_(dedup_window) {}

  // nullopt when the id was not stored within the dedup window (or dedup is off, or the id was
  // the server's own: those are not indexed).
  std::optional<FoundEvent> find(std::string_view source, std::string_view message_id) const;

  std::chrono::milliseconds window() const { return window_; }

 private:
  EventLog& log_;
  const std::chrono::milliseconds window_;
};

}  // namespace sluice::storage
