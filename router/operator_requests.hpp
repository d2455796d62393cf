#pragma once

// What operators have asked of one delivery loop (RouterControl, through Router and
// DeliveryLoop): pause and resume, replay from a cursor, redeliver dead letters. The loop's thread
// takes the requests and serves them; its lanes hold off their attempts here while the loop is
// paused and give up a job whose epoch a replay ended.
//
// A replay starts a new epoch: every job is stamped with the epoch it was dispatched in, and a
// job of an older epoch is abandoned at its next attempt boundary. Requests do not survive a
// restart (the replayed cursor does: the loop saves it).
//
// Thread-safety: every method may be called from any thread; take_replay() and
// take_redelivery() from the loop's thread. Each change wakes the loop's waiters (LoopSignal),
// which must outlive this.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <stop_token>

#include "common/mutex.hpp"
#include "router/loop_signal.hpp"

namespace sluice::router {

class OperatorRequests {
 public:
  // idle_tick: the longest a held lane sleeps before it looks at the requests again.
  OperatorRequests(LoopSignal& signal, std::chrono::milliseconds idle_tick);
  OperatorRequests(const OperatorRequests&) = delete;
  OperatorRequests& operator=(const OperatorRequests&) = delete;

  void pause() EXCLUDES(mutex_);
  void resume() EXCLUDES(mutex_);
  // Delivery goes on after cursor; starts a new epoch.
  void replay(std::uint64_t cursor) EXCLUDES(mutex_);
  // Queues a dead letter (by its first sequence) for redelivery, once.
  void redeliver(std::uint64_t dead_letter) EXCLUDES(mutex_);

  bool paused() const EXCLUDES(mutex_);
  std::uint64_t epoch() const EXCLUDES(mutex_);
  bool replay_pending() const EXCLUDES(mutex_);
  bool redelivery_pending() const EXCLUDES(mutex_);

  // The cursor a replay asked for, once; nullopt when none waits.
  std::optional<std::uint64_t> take_replay() EXCLUDES(mutex_);
  // The next dead letter to redeliver; nullopt when none waits.
  std::optional<std::uint64_t> take_redelivery() EXCLUDES(mutex_);

  // For a lane's job of epoch: sleeps for duration, or less when stop is requested or the
  // epoch ends; while paused it keeps sleeping after duration. Returns whether the job goes on.
  bool hold(std::chrono::milliseconds duration, std::uint64_t epoch, const std::stop_token& stop)
      EXCLUDES(mutex_);

 private:
  LoopSignal& signal_;
  const std::chrono::milliseconds idle_tick_;

  mutable Mutex mutex_;
  bool paused_ GUARDED_BY(mutex_) = false;
  std::uint64_t epoch_ GUARDED_BY(mutex_) = 0;
  std::optional<std::uint64_t> replay_to_ GUARDED_BY(mutex_);
  std::deque<std::uint64_t> redeliveries_ GUARDED_BY(mutex_);
};

}  // namespace sluice::router
