#include "admin/live_tail.hpp"

#include <algorithm>
#include <random>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "admin/admin_json.hpp"
#include "net/listener.hpp"
#include "storage/record_log.hpp"

namespace sluice::admin {
namespace asio = boost::asio;

std::string sse_frame(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(event.size() + data.size() + id.size() + 20);
  out.append("event: ").append(event).append("\n");
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  out.append("data: ").append(data).append("\n\n");
  return out;
}

std::string event_frame(std::uint64_t sequence, const storage::Record& record) {
  return sse_frame("event", tail_event_body(sequence, record), std::to_string(sequence));
}

std::string rejected_frame(const api::RejectedMessage& rejection) {
  return sse_frame("rejected", tail_rejection_body(rejection));
}

std::string dropped_frame(std::uint64_t events) {
  return sse_frame("dropped", tail_dropped_body(events));
}

TailSubscription::TailSubscription(const asio::any_io_executor& executor, const TailQuery& query,
                                   std::size_t queue_bytes, std::uint64_t seed)
    : filter_(query, seed), queue_bytes_(queue_bytes), wake_(executor) {}

asio::awaitable<void> TailSubscription::wait(std::chrono::steady_clock::time_point until) {
  if (!queue_.empty() || dropped_ != 0 || closed_) co_return;
  wake_.expires_at(until);
  boost::system::error_code ignored;  // cancelled: there is something to do
  co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

std::string TailSubscription::take() {
  if (dropped_ == 0) return std::exchange(queue_, std::string());
  std::string frames = dropped_frame(std::exchange(dropped_, 0));
  frames += queue_;
  queue_.clear();
  return frames;
}

void TailSubscription::offer(const std::string& frame) {
  if (queue_.size() + frame.size() > queue_bytes_) {
    ++dropped_;
    return;
  }
  queue_ += frame;
  wake_.cancel();
}

void TailSubscription::dropped(std::uint64_t events) {
  dropped_ += events;
  wake_.cancel();
}

void TailSubscription::close() {
  closed_ = true;
  wake_.cancel();
}

LiveTail::LiveTail(const asio::any_io_executor& executor, const storage::RecordLog& log,
                   api::RejectionFeed* rejections, const TailLimits& limits)
    : executor_(executor),
      log_(log),
      rejections_(rejections),
      limits_(limits),
      seed_(std::random_device{}()),
      tick_(executor) {}

LiveTail::~LiveTail() {
  close_all();
}

std::shared_ptr<TailSubscription> LiveTail::subscribe(const TailQuery& query) {
  if (closed_ || subscribers_.size() >= limits_.max_subscribers) return nullptr;
  if (subscribers_.empty()) cursor_ = log_.last_sequence() + 1;
  auto subscription =
      std::make_shared<TailSubscription>(executor_, query, limits_.queue_bytes, ++seed_);
  if (query.rejected && rejections_ != nullptr) rejections_->listen();
  subscribers_.push_back(subscription);
  if (!following_) {
    following_ = true;
    asio::co_spawn(executor_, follow(), net::log_failure("admin: the live tail's log follower"));
  }
  return subscription;
}

void LiveTail::unsubscribe(const std::shared_ptr<TailSubscription>& subscription) {
  const auto found = std::find(subscribers_.begin(), subscribers_.end(), subscription);
  if (found == subscribers_.end()) return;
  if (subscription->filter_.wants_rejections() && rejections_ != nullptr) rejections_->unlisten();
  subscribers_.erase(found);
  subscription->close();
}

void LiveTail::close() {
  closed_ = true;
  close_all();
  tick_.cancel();
}

void LiveTail::close_all() {
  while (!subscribers_.empty()) unsubscribe(subscribers_.back());
}

asio::awaitable<void> LiveTail::follow() {
  // Whatever ends this coroutine (an exception included), the next subscriber starts another.
  struct Stopped {
    bool& following;
    ~Stopped() { following = false; }
  } stopped{following_};
  while (!subscribers_.empty()) {
    tick_.expires_after(limits_.tick);
    boost::system::error_code ec;
    co_await tick_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (subscribers_.empty()) break;
    read_log();
    read_rejections();
  }
}

void LiveTail::read_log() {
  const std::uint64_t last = log_.last_sequence();
  if (last < cursor_) return;
  const std::uint64_t lag = last + 1 - cursor_;
  const std::uint64_t max_lag = limits_.read_records * limits_.max_lag_ticks;
  if (lag > max_lag) {
    // Too far behind to catch up: show the newest events, and say how many were passed over.
    const std::uint64_t skipped = lag - limits_.read_records;
    for (const auto& subscriber : subscribers_) subscriber->dropped(skipped);
    cursor_ += skipped;
  }
  auto next = log_.read(cursor_, limits_.read_records, limits_.read_bytes,
                        [this](std::uint64_t sequence, const storage::Record& record) {
                          showing_.clear();
                          for (const auto& subscriber : subscribers_) {
                            if (subscriber->filter_.shows(record))
                              showing_.push_back(subscriber.get());
                          }
                          if (!showing_.empty()) {
                            const std::string rendered = event_frame(sequence, record);
                            for (TailSubscription* subscriber : showing_)
                              subscriber->offer(rendered);
                          }
                          return true;
                        });
  if (!next.is_ok()) {
    // The log closed (the server is stopping) or failed: a tail cannot go on without it.
    spdlog::warn("admin: live tail stopped: {}", next.status().message());
    close_all();
    return;
  }
  cursor_ = *next;
}

void LiveTail::read_rejections() {
  if (rejections_ == nullptr || !rejections_->listening()) return;
  rejected_.clear();
  const std::uint64_t lost = rejections_->take(rejected_);
  for (const auto& subscriber : subscribers_) {
    if (!subscriber->filter_.wants_rejections()) continue;
    if (lost != 0) subscriber->dropped(lost);
  }
  for (const api::RejectedMessage& rejection : rejected_) {
    std::string rendered;  // once, for the first subscriber that shows it
    for (const auto& subscriber : subscribers_) {
      if (!subscriber->filter_.shows(rejection)) continue;
      if (rendered.empty()) rendered = rejected_frame(rejection);
      subscriber->offer(rendered);
    }
  }
}

}  // namespace sluice::admin
