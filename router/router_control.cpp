#include "router/router_control.hpp"

namespace sluice::router {

std::string_view to_string(EventDelivery::State state) {
  switch (state) {
    case EventDelivery::State::kDelivered:
      return "delivered";
    case EventDelivery::State::kPending:
      return "pending";
    case EventDelivery::State::kFiltered:
      return "filtered";
    case EventDelivery::State::kDeadLettered:
      return "dead_lettered";
  }
  return "unknown";
}

std::string_view to_string(LoopState state) {
  switch (state) {
    case LoopState::kStarting:
      return "starting";
    case LoopState::kRunning:
      return "running";
    case LoopState::kRetrying:
      return "retrying";
    case LoopState::kPaused:
      return "paused";
    case LoopState::kStopped:
      return "stopped";
  }
  return "unknown";
}

}  // namespace sluice::router
