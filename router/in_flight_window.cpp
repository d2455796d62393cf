#include "router/in_flight_window.hpp"

#include <algorithm>

namespace sluice::router {

void InFlightWindow::reset(std::uint64_t cursor) {
  slots_.clear();
  cursor_ = cursor;
}

std::uint64_t InFlightWindow::open(std::uint64_t done_to) {
  const std::uint64_t id = next_id_++;
  slots_.push_back(Slot{id, done_to, false});
  return id;
}

std::uint64_t InFlightWindow::complete(std::uint64_t id) {
  // Ids grow along the deque, so the slot is found by binary search.
  const auto slot =
      std::lower_bound(slots_.begin(), slots_.end(), id,
                       [](const Slot& s, std::uint64_t value) { return s.id < value; });
  if (slot != slots_.end() && slot->id == id) slot->done = true;
  while (!slots_.empty() && slots_.front().done) {
    cursor_ = std::max(cursor_, slots_.front().done_to);
    slots_.pop_front();
  }
  return cursor_;
}

}  // namespace sluice::router
