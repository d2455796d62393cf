#pragma once
// The live tail (GET /v1/tail): stored events, and with rejected=true what intake refused, as
// they arrive, for up to max_subscribers subscribers at once.
//
// One follower reads the log for every subscriber: while anyone subscribes it wakes every
// tick, reads what was committed since its last read (at most read_records and read_bytes a
// tick) and renders each event once for the subscribers whose filter shows it. It reads the
// committed log, as a destination does, so intake never waits for it; when it falls more than
// a few ticks' reads behind it skips ahead, and every subscriber is told how many events were
// passed over (whether or not its filter would have shown them: they were not read). Each
// subscriber's frames wait in a queue of at most queue_bytes; past that they are dropped and
// counted, and the subscriber's stream says how many before its next frame.
//
// Frames are Server-Sent Events (admin/README.md): "event" (a stored event), "rejected",
// "dropped". Everything here runs on the admin thread: not thread-safe. The log and the
// rejection feed must outlive the LiveTail.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "admin/admin_limits.hpp"
#include "admin/tail_filter.hpp"
#include "api/rejection_feed.hpp"

namespace sluice::storage {
class RecordLog;
}

namespace sluice::admin {

class TailSubscription {
 public:
  TailSubscription(const boost::asio::any_io_executor& executor, const TailQuery& query,
                   std::size_t queue_bytes, std::uint64_t seed);

  // Waits until there are frames to write, the subscription is closed, or `until`.
  boost::asio::awaitable<void> wait(std::chrono::steady_clock::time_point until);
  // The frames queued since the last take, preceded by a "dropped" frame when some were lost.
  std::string take();
  bool closed() const { return closed_; }

 private:
  friend class LiveTail;

  // Queues a frame, or counts its events as dropped when the queue is full.
  void offer(const std::string& frame);
  void dropped(std::uint64_t events);
  void close();

  TailFilter filter_;
  const std::size_t queue_bytes_;
  std::string queue_;
  std::uint64_t dropped_ = 0;
  boost::asio::steady_timer wake_;
  bool closed_ = false;
};

class LiveTail {
 public:
  // Without a rejection feed, rejected=true shows nothing.
  LiveTail(const boost::asio::any_io_executor& executor, const storage::RecordLog& log,
           api::RejectionFeed* rejections, const TailLimits& limits = {});
  ~LiveTail();
  LiveTail(const LiveTail&) = delete;
  LiveTail& operator=(const LiveTail&) = delete;

  // A subscription to events committed from now on; nullptr when max_subscribers already
  // subscribe, or after close().
  std::shared_ptr<TailSubscription> subscribe(const TailQuery& query);
  void unsubscribe(const std::shared_ptr<TailSubscription>& subscription);
  // The server is stopping: closes every subscription and refuses new ones.
  void close();

  // The sequence the next events shown come after: a new subscriber sees events from
  // shown_after() + 1 on.
  std::uint64_t shown_after() const { return cursor_ - 1; }
  std::size_t subscribers() const { return subscribers_.size(); }
  const TailLimits& limits() const { return limits_; }

 private:
  boost::asio::awaitable<void> follow();
  // One tick's work: the log since cursor_, then the rejections.
  void read_log();
  void read_rejections();
  void close_all();

  boost::asio::any_io_executor executor_;
  const storage::RecordLog& log_;
  api::RejectionFeed* rejections_;
  const TailLimits limits_;
  std::vector<std::shared_ptr<TailSubscription>> subscribers_;
  std::uint64_t cursor_ = 0;  // the next sequence to read
  std::uint64_t seed_ = 0;
  boost::asio::steady_timer tick_;
  bool following_ = false;
  bool closed_ = false;
  // Reused between ticks.
  std::vector<api::RejectedMessage> rejected_;
  std::vector<TailSubscription*> showing_;
};

// A Server-Sent Events frame: the event's name, an id when given, and one line of data.
std::string sse_frame(std::string_view event, std::string_view data, std::string_view id = {});
// The tail's frames (their data: admin_json.hpp).
std::string event_frame(std::uint64_t sequence, const storage::Record& record);
std::string rejected_frame(const api::RejectedMessage& rejection);
std::string dropped_frame(std::uint64_t events);

}  // namespace sluice::admin
