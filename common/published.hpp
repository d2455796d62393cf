#pragma once

// A value that is replaced while the server runs and read on the path every request takes: a
// reload or an admin change publishes a new immutable T, requests that start afterwards see it,
// and requests in progress finish with the one they started with (each holds a shared_ptr).
//
// Readers stay lock-free: each IO thread reads through its own PublishedView, which compares an
// atomic generation number with the one it cached and takes the mutex only once after a
// publish. Published is thread-safe; a PublishedView belongs to one thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

#include "common/mutex.hpp"

namespace sluice {

template <typename T>
class Published {
 public:
  explicit Published(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}

  // Puts next in force for readers that look from now on.
  void publish(std::shared_ptr<const T> next) EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      current_ = std::move(next);
    }
    // After the swap: a view that sees the new number finds the new value.
    generation_.fetch_add(1, std::memory_order_release);
  }

  std::shared_ptr<const T> current() const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return current_;
  }

  // Counts publishes; a PublishedView refreshes when it changes.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable Mutex mutex_;
  std::shared_ptr<const T> current_ GUARDED_BY(mutex_);
  std::atomic<std::uint64_t> generation_{0};
};

// One thread's view of a Published<T>. Not thread-safe: one per thread.
template <typename T>
class PublishedView {
 public:
  explicit PublishedView(const Published<T>& published)
      : published_(published), generation_(published.generation()), value_(published.current()) {}

  // The value in force. The caller keeps the pointer for as long as it uses what the value
  // gave it, across suspensions included.
  const std::shared_ptr<const T>& get() {
    const std::uint64_t generation = published_.generation();
    if (generation != generation_) {
      generation_ = generation;
      value_ = published_.current();
    }
    return value_;
  }

 private:
  const Published<T>& published_;
  std::uint64_t generation_;
  std::shared_ptr<const T> value_;
};

}  // namespace sluice
