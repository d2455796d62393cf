#include "router/operator_requests.hpp"

#include <algorithm>
#include <utility>

namespace sluice::router {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

OperatorRequests::OperatorRequests(LoopSignal& signal, milliseconds idle_tick)
    : signal_(signal), idle_tick_(idle_tick) {}

void OperatorRequests::pause() {
  {
    MutexLock lock(mutex_);
    paused_ = true;
  }
  signal_.notify();
}

void OperatorRequests::resume() {
  {
    MutexLock lock(mutex_);
    paused_ = false;
  }
  signal_.notify();
}

void OperatorRequests::replay(std::uint64_t cursor) {
  {
    MutexLock lock(mutex_);
    replay_to_ = cursor;
    ++epoch_;
  }
  signal_.notify();
}

void OperatorRequests::redeliver(std::uint64_t dead_letter) {
  {
    MutexLock lock(mutex_);
    if (std::find(redeliveries_.begin(), redeliveries_.end(), dead_letter) == redeliveries_.end()) {
      redeliveries_.push_back(dead_letter);
    }
  }
  signal_.notify();
}

bool OperatorRequests::paused() const {
  MutexLock lock(mutex_);
  return paused_;
}

std::uint64_t OperatorRequests::epoch() const {
  MutexLock lock(mutex_);
  return epoch_;
}

bool OperatorRequests::replay_pending() const {
  MutexLock lock(mutex_);
  return replay_to_.has_value();
}

bool OperatorRequests::redelivery_pending() const {
  MutexLock lock(mutex_);
  return !redeliveries_.empty();
}

std::optional<std::uint64_t> OperatorRequests::take_replay() {
  MutexLock lock(mutex_);
  return std::exchange(replay_to_, std::nullopt);
}

std::optional<std::uint64_t> OperatorRequests::take_redelivery() {
  MutexLock lock(mutex_);
  if (redeliveries_.empty()) return std::nullopt;
  const std::uint64_t id = redeliveries_.front();
  redeliveries_.pop_front();
  return id;
}

bool OperatorRequests::hold(milliseconds duration, std::uint64_t epoch,
                            const std::stop_token& stop) {
  const Clock::time_point until = Clock::now() + duration;
  for (;;) {
    bool paused = false;
    {
      MutexLock lock(mutex_);
      if (stop.stop_requested() || epoch != epoch_) return false;
      paused = paused_;
    }
    const Clock::time_point now = Clock::now();
    if (!paused && now >= until) return true;
    const milliseconds wait =
        paused ? idle_tick_ : std::min(std::chrono::ceil<milliseconds>(until - now), idle_tick_);
    signal_.wait_for(stop, wait, [&] { return epoch != this->epoch(); });
  }
}

}  // namespace sluice::router
