#pragma once

// The log's last committed sequence number, and waiting for it to pass a value. The committer
// publishes the last sequence of each group commit here; a reader that has caught up (a delivery
// loop) waits here instead of polling: a publish, close() and a stop request wake it.
//
// Thread-safety: every method may be called from any thread; publish() from one at a time (the
// committer's).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <stop_token>

#include "common/mutex.hpp"

namespace sluice::storage {

class CommittedSequence {
 public:
  explicit CommittedSequence(std::uint64_t last) : last_(last) {}
  CommittedSequence(const CommittedSequence&) = delete;
  CommittedSequence& operator=(const CommittedSequence&) = delete;

  std::uint64_t last() const { return last_.load(std::memory_order_acquire); }

  // Makes last (the new last sequence) visible and wakes every waiter.
  void publish(std::uint64_t last) EXCLUDES(mutex_);
  // Nothing more will be published: wakes every waiter, and later waits return at once.
  void close() EXCLUDES(mutex_);

  // Blocks until last() >= sequence, timeout passes, stop is requested or close() was called.
  // Returns whether last() >= sequence.
  bool wait_for(std::uint64_t sequence, std::chrono::milliseconds timeout,
                std::stop_token stop) const EXCLUDES(mutex_);

 private:
  void notify_waiters() EXCLUDES(mutex_);

  std::atomic<std::uint64_t> last_;
  std::atomic<bool> closed_{false};
  // Guards no data: a waiter checks its condition while holding it, and a change is followed by
  // taking it before notifying, so no waiter can miss a change between its check and its wait.
  mutable Mutex mutex_;
  mutable std::condition_variable_any advanced_;
};

}  // namespace sluice::storage
