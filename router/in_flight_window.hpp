#pragma once

// The order in which a destination's cursor may move while several batches are in flight:
// each batch (or stretch of filtered-out events) opens a slot covering the sequences after the
// previous slot up to its done_to; slots complete in any order, and the cursor is the done_to
// of the last slot of the completed prefix. A batch acknowledged early waits for the ones
// before it, so a crash redelivers from the oldest unacknowledged batch, never skips one.
//
// Not thread-safe: a CursorKeeper guards it with its mutex.

#include <cstdint>
#include <deque>

namespace sluice::router {

class InFlightWindow {
 public:
  explicit InFlightWindow(std::uint64_t cursor = 0) : cursor_(cursor) {}

  // Forgets every open slot and sets the cursor (a replay).
  void reset(std::uint64_t cursor);
  // Opens a slot ending at done_to (> every earlier done_to); returns its id.
  std::uint64_t open(std::uint64_t done_to);
  // Completes the slot; returns the cursor, moved over every completed slot at the front.
  // An id that is not open (from before a reset) changes nothing.
  std::uint64_t complete(std::uint64_t id);

  std::uint64_t cursor() const { return cursor_; }
  // Where the next slot starts: the last open slot's done_to, or the cursor.
  std::uint64_t end() const { return slots_.empty() ? cursor_ : slots_.back().done_to; }
  std::size_t open_slots() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t id;
    std::uint64_t done_to;
    bool done;
  };

  std::deque<Slot> slots_;
  std::uint64_t next_id_ = 1;
  std::uint64_t cursor_;
};

}  // namespace sluice::router
