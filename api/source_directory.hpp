#pragma once

// The sources in force, replaceable while the server runs: a reload or the admin API publishes
// a new immutable SourceRegistry, and requests that start afterwards see it, while requests in
// progress finish with the one they started with (each holds a shared_ptr to it).
//
// Readers stay lock-free on the path every request takes: each IO thread reads through its own
// SourceView, which compares an atomic generation number with the one it cached and only takes
// the directory's mutex, once, after a publish. Thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>

#include "api/sources.hpp"
#include "common/mutex.hpp"

namespace sluice::api {

class SourceDirectory {
 public:
  explicit SourceDirectory(std::shared_ptr<const SourceRegistry> initial);

  // Puts `next` in force for requests that start from now on.
  void publish(std::shared_ptr<const SourceRegistry> next);
  std::shared_ptr<const SourceRegistry> current() const;
  // Counts publishes; a SourceView refreshes when it changes.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable Mutex mutex_;
  std::shared_ptr<const SourceRegistry> current_ GUARDED_BY(mutex_);
  std::atomic<std::uint64_t> generation_{0};
};

// One IO thread's view of a SourceDirectory. Not thread-safe: one per thread.
class SourceView {
 public:
  explicit SourceView(const SourceDirectory& directory);

  // The registry in force. The caller keeps the pointer for as long as it uses what the
  // registry gave it (a Source*), across suspensions included.
  const std::shared_ptr<const SourceRegistry>& get();

 private:
  const SourceDirectory& directory_;
  std::uint64_t generation_;
  std::shared_ptr<const SourceRegistry> registry_;
};

}  // namespace sluice::api
