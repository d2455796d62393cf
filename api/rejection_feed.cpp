#include "api/rejection_feed.hpp"

#include <algorithm>
#include <utility>

namespace sluice::api {

RejectionFeed::RejectionFeed(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

void RejectionFeed::listen() {
  listeners_.fetch_add(1, std::memory_order_relaxed);
}

void RejectionFeed::unlisten() {
  // Under the lock, so that a publish that finds a listener there pushes before the clear.
  const MutexLock lock(mutex_);
  if (listeners_.fetch_sub(1, std::memory_order_relaxed) == 1) {
    // The last listener left: what it did not take is nobody's.
    ring_.clear();
    next_ = 0;
    lost_ = 0;
  }
}

void RejectionFeed::push(RejectedMessage entry) {
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(entry));
    return;
  }
  ring_[next_] = std::move(entry);
  next_ = (next_ + 1) % capacity_;
  ++lost_;
}

void RejectionFeed::publish(std::string_view source, std::span<const Rejection> rejected,
                            std::int64_t at_ms) {
  if (!listening() || rejected.empty()) return;
  // Copied before the lock: intake threads hold it only to move entries in.
  std::vector<RejectedMessage> entries;
  entries.reserve(rejected.size());
  for (const Rejection& rejection : rejected) {
    entries.push_back(RejectedMessage{at_ms, std::string(source),
                                      static_cast<std::int64_t>(rejection.index),
                                      std::string(rejection.code), std::string(rejection.message)});
  }
  const MutexLock lock(mutex_);
  // The last listener may have left since the check above; what it would not take is dropped.
  if (!listening()) return;
  for (RejectedMessage& entry : entries) push(std::move(entry));
}

void RejectionFeed::publish_refusal(std::string_view source, std::string_view code,
                                    std::string_view message, std::int64_t at_ms) {
  if (!listening()) return;
  RejectedMessage entry{at_ms, std::string(source), -1, std::string(code), std::string(message)};
  const MutexLock lock(mutex_);
  if (listening()) push(std::move(entry));
}

std::uint64_t RejectionFeed::take(std::vector<RejectedMessage>& out) {
  const MutexLock lock(mutex_);
  // Oldest first: once the ring has wrapped, the oldest entry is the one next_ points at.
  std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(next_), ring_.end());
  for (RejectedMessage& entry : ring_) out.push_back(std::move(entry));
  ring_.clear();
  next_ = 0;
  return std::exchange(lost_, 0);
}

}  // namespace sluice::api
