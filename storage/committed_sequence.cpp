#include "storage/committed_sequence.hpp"

#include <algorithm>

namespace sluice::storage {
namespace {

// Waits longer than this are cut short; callers wait again. Keeps the deadline arithmetic of
// the condition variable far from overflow.
constexpr std::chrono::hours kMaxWait{24};

}  // namespace

void CommittedSequence::publish(std::uint64_t last) {
  last_.store(last, std::memory_order_release);
  notify_waiters();
}

void CommittedSequence::close() {
  closed_.store(true, std::memory_order_release);
  notify_waiters();
}

void CommittedSequence::notify_waiters() {
  { MutexLock lock(mutex_); }
  advanced_.notify_all();
}

bool CommittedSequence::wait_for(std::uint64_t sequence, std::chrono::milliseconds timeout,
                                 std::stop_token stop) const {
  MutexLock lock(mutex_);
  return advanced_.wait_for(
             lock, std::move(stop), std::min<std::chrono::milliseconds>(timeout, kMaxWait),
             [&] { return last() >= sequence || closed_.load(std::memory_order_acquire); }) &&
         last() >= sequence;
}

}  // namespace sluice::storage
