#pragma once
// What intake refused, for the admin API's live tail (GET /v1/tail?rejected=true): each
// message a request rejected (its index and code) and each request refused whole. Nothing is
// copied unless a subscriber listens; then intake appends to a bounded ring under a mutex held
// for a copy, and the tail takes what accumulated on its next tick. When the ring is full the
// oldest entries are overwritten and counted as lost, so a tail that falls behind never holds
// up or grows intake.
//
// Thread-safety: every method may be called from any thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/ingestor.hpp"
#include "common/mutex.hpp"

namespace sluice::api {

struct RejectedMessage {
  std::int64_t at_ms = 0;
  std::string source;       // empty when the request's key did not resolve to a source
  std::int64_t index = -1;  // the message's index in its request; -1: the request was refused
  std::string code;
  std::string message;
};

class RejectionFeed {
 public:
  explicit RejectionFeed(std::size_t capacity = 1024);

  // Counted listeners: publish() copies only while at least one is registered.
  void listen();
  void unlisten();
  bool listening() const { return listeners_.load(std::memory_order_relaxed) > 0; }

  // A request's rejected messages, or (with index -1) the request refused whole.
  void publish(std::string_view source, std::span<const Rejection> rejected, std::int64_t at_ms);
  void publish_refusal(std::string_view source, std::string_view code, std::string_view message,
                       std::int64_t at_ms);

  // Moves what was published since the last take into out (appended, oldest first) and returns
  // how many entries were overwritten before they could be taken.
  std::uint64_t take(std::vector<RejectedMessage>& out);

 private:
  void push(RejectedMessage entry) REQUIRES(mutex_);

  const std::size_t capacity_;
  std::atomic<int> listeners_{0};
  Mutex mutex_;
  std::vector<RejectedMessage> ring_ GUARDED_BY(mutex_);  // capacity_ entries once full
  // The slot the next entry takes once the ring is full: the oldest entry's.
  std::size_t next_ GUARDED_BY(mutex_) = 0;
  std::uint64_t lost_ GUARDED_BY(mutex_) = 0;  // overwritten since the last take
};

}  // namespace sluice::api
