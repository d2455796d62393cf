#pragma once

// Wakes the threads of one delivery loop that wait for something to change: the loop's thread
// waiting for an idle lane or for an operator request, a lane holding off its next attempt while
// the loop is paused. Each part of the loop (OperatorRequests, LaneDispatcher) guards its own
// state with its own mutex and calls notify() after a change, once it has released that mutex.
// A waiter's condition is checked while holding this signal's mutex, so it may take the parts'
// mutexes, and no notify() that follows a change can be missed. The order is therefore: this
// signal's mutex before any part's, never the other way round.
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <stop_token>

#include "common/mutex.hpp"

namespace sluice::router {

class LoopSignal {
 public:
  LoopSignal() = default;
  LoopSignal(const LoopSignal&) = delete;
  LoopSignal& operator=(const LoopSignal&) = delete;

  // Wakes every waiter to check its condition again.
  void notify() EXCLUDES(mutex_);

  // Waits until ready() is true, timeout passes or stop is requested; returns ready(). ready is
  // called with this signal's mutex held.
  template <typename Ready>
  bool wait_for(const std::stop_token& stop, std::chrono::milliseconds timeout, Ready ready)
      EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return changed_.wait_for(lock, stop, timeout, ready);
  }

  // Sleeps for duration unless stop is requested first; changes do not end it.
  void sleep_for(const std::stop_token& stop, std::chrono::milliseconds duration) EXCLUDES(mutex_) {
    wait_for(stop, duration, [] { return false; });
  }

 private:
  // Guards no data: it orders a waiter's check against notify().
  Mutex mutex_;
  std::condition_variable_any changed_;
};

}  // namespace sluice::router
