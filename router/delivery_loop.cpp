#include "router/delivery_loop.hpp"

#include <functional>
#include <random>

#include <spdlog/spdlog.h>

namespace sluice::router {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t backoff_seed(const std::string& name) {
  return (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
         std::hash<std::string>{}(name);
}

std::string describe(const DeliveryResult& result) {
  return result.detail.empty() ? result.reason : result.reason + ": " + result.detail;
}

}  // namespace

DeliveryLoop::DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
                           std::unique_ptr<Destination> destination, DestinationMetrics metrics,
                           LoopTiming timing)
    : config_(std::move(config)),
      log_(log),
      destination_(std::move(destination)),
      metrics_(std::move(metrics)),
      timing_(timing),
      filter_(config_),
      batch_(config_.batch_max_events, config_.batch_max_bytes),
      backoff_(config_.retry_initial, config_.retry_max, backoff_seed(config_.name)) {}

DeliveryLoop::~DeliveryLoop() {
  request_stop();
  join();
}

void DeliveryLoop::start() {
  if (config_.max_in_flight > 1) {
    spdlog::info(
        "destination {}: max_in_flight = {}, but this version delivers one batch at a time",
        config_.name, config_.max_in_flight);
  }
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void DeliveryLoop::request_stop() {
  thread_.request_stop();
}

void DeliveryLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void DeliveryLoop::run(const std::stop_token& stop) {
  try {
    if (load_cursor(stop)) {
      while (fill_batch(stop) && deliver_batch(stop)) {
      }
      // What is not saved yet is only filtered-out progress or a save that failed.
      if (cursor_ > saved_cursor_) save_cursor();
    }
  } catch (const std::exception& error) {
    // A bug or an allocation failure: stop this destination (its backlog shows in the metrics)
    // rather than take intake down with the process.
    spdlog::critical("destination {}: delivery stopped: {}", config_.name, error.what());
  }
  try {
    destination_->close();
  } catch (const std::exception& error) {
    spdlog::error("destination {}: close failed: {}", config_.name, error.what());
  }
}

bool DeliveryLoop::load_cursor(const std::stop_token& stop) {
  for (std::uint64_t failures = 1;; ++failures) {
    std::string error;
    if (const auto cursor = log_.load_cursor(config_.name, &error)) {
      cursor_ = saved_cursor_ = *cursor;
      position_ = cursor_ + 1;
      last_tick_ = Clock::now();
      metrics_.cursor(cursor_);
      report_backlog();
      return true;
    }
    spdlog::error("destination {}: {}", config_.name, error);
    if (!log_.is_open() || !pause(backoff_.delay(failures), stop)) return false;
  }
}

bool DeliveryLoop::fill_batch(const std::stop_token& stop) {
  std::uint64_t read_failures = 0;
  while (!stop.stop_requested() && log_.is_open()) {
    bool batch_ready = false;
    const storage::ReadStatus status =
        log_.read(position_, timing_.read_chunk, 0,
                  [&](std::uint64_t sequence, const storage::Record& record) {
                    if (batch_ready) return false;
                    if (!filter_.matches(record)) return true;
                    if (!batch_.has_room_for(record.json.size())) {
                      batch_ready = true;
                      return false;
                    }
                    batch_.add(sequence, record);
                    batch_ready = batch_.full();
                    return true;
                  });
    if (!status.ok) {
      spdlog::error("destination {}: cannot read the log: {}", config_.name, status.error);
      if (!pause(backoff_.delay(++read_failures), stop)) return false;
      continue;
    }
    read_failures = 0;
    position_ = status.next;
    if (batch_ready) return true;

    const Clock::time_point now = Clock::now();
    const bool caught_up = position_ > log_.last_sequence();
    if (!batch_.empty()) {
      const Clock::time_point deadline = batch_.started_at() + config_.batch_max_wait;
      if (now >= deadline) return true;
      if (caught_up) {
        log_.wait_for_sequence(position_, std::chrono::ceil<milliseconds>(deadline - now), stop);
      }
      continue;
    }
    // Nothing to deliver: everything before position_ was filtered out.
    skipped(position_ - 1, now);
    if (!caught_up) continue;
    if (now - last_tick_ >= timing_.idle_tick) {
      tick_destination();
      last_tick_ = now;
    }
    const auto until_tick = std::chrono::ceil<milliseconds>(last_tick_ + timing_.idle_tick - now);
    log_.wait_for_sequence(position_, std::max(until_tick, milliseconds(1)), stop);
  }
  return false;
}

bool DeliveryLoop::deliver_batch(const std::stop_token& stop) {
  // Everything before position_ is in the batch or was filtered out, so an acknowledgement
  // covers it all.
  const std::uint64_t done_to = position_ - 1;
  for (std::uint64_t attempt = 1;; ++attempt) {
    const DeliveryResult result = attempt_delivery();
    if (result.kind == DeliveryResult::Kind::kOk) {
      acknowledged(done_to);
      return true;
    }
    metrics_.attempt_failed(result.reason);
    if (result.kind == DeliveryResult::Kind::kPermanent ||
        (config_.max_attempts != 0 && attempt >= config_.max_attempts)) {
      return dead_letter(result, attempt, done_to, stop);
    }
    const milliseconds delay = backoff_.delay(attempt, result.retry_after);
    metrics_.retry_scheduled();
    spdlog::warn("destination {}: attempt {} for events {}..{} failed ({}); retrying in {} ms",
                 config_.name, attempt, batch_.first_sequence(), batch_.last_sequence(),
                 describe(result), delay.count());
    if (!pause(delay, stop)) return false;
  }
}

void DeliveryLoop::tick_destination() {
  try {
    destination_->tick();
  } catch (const std::exception& error) {
    spdlog::error("destination {}: tick failed: {}", config_.name, error.what());
  }
}

DeliveryResult DeliveryLoop::attempt_delivery() {
  try {
    return destination_->deliver(batch_.events());
  } catch (const std::exception& error) {
    return DeliveryResult::retry("exception", error.what());
  } catch (...) {
    return DeliveryResult::retry("exception", "unknown exception");
  }
}

bool DeliveryLoop::dead_letter(const DeliveryResult& result, std::uint64_t attempts,
                               std::uint64_t done_to, const std::stop_token& stop) {
  const storage::DeadLetter letter{
      config_.name, batch_.first_sequence(), batch_.last_sequence(), batch_.size(), attempts,
      now_ms(),     describe(result)};
  // The batch must not be dropped without its dead letter, so a failed write is retried.
  for (std::uint64_t failures = 1;; ++failures) {
    std::string error;
    if (log_.save_dead_letter(letter, done_to, &error)) break;
    spdlog::error("destination {}: {}", config_.name, error);
    if (!log_.is_open() || !pause(backoff_.delay(failures), stop)) return false;
  }
  spdlog::error("destination {}: dead-lettered {} events ({}..{}) after {} attempts: {}",
                config_.name, letter.events, letter.first_sequence, letter.last_sequence, attempts,
                letter.reason);
  metrics_.dead_lettered(batch_.size());
  cursor_ = saved_cursor_ = done_to;
  last_save_ = Clock::now();
  batch_.clear();
  metrics_.cursor(cursor_);
  report_backlog();
  return true;
}

void DeliveryLoop::acknowledged(std::uint64_t done_to) {
  metrics_.delivered(batch_.size());
  const std::int64_t now = now_ms();
  for (const OutgoingEvent& event : batch_.events()) {
    metrics_.delivery_latency(
        static_cast<double>(std::max<std::int64_t>(now - event.record.received_at_ms, 0)) / 1000);
  }
  batch_.clear();
  cursor_ = done_to;
  save_cursor();
  last_tick_ = Clock::now();
  report_backlog();
}

void DeliveryLoop::skipped(std::uint64_t done_to, Clock::time_point now) {
  if (done_to <= cursor_) return;
  cursor_ = done_to;
  if (now - last_save_ >= timing_.skip_save_interval) save_cursor();
  report_backlog();
}

void DeliveryLoop::save_cursor() {
  std::string error;
  if (log_.save_cursor(config_.name, cursor_, &error)) {
    saved_cursor_ = cursor_;
  } else {
    // The next save writes a later cursor; until then a restart redelivers from the old one.
    spdlog::error("destination {}: {}", config_.name, error);
  }
  last_save_ = Clock::now();
  metrics_.cursor(cursor_);
}

void DeliveryLoop::report_backlog() {
  const std::uint64_t last = log_.last_sequence();
  metrics_.backlog(last > cursor_ ? last - cursor_ : 0);
}

bool DeliveryLoop::pause(milliseconds duration, const std::stop_token& stop) {
  const Clock::time_point until = Clock::now() + duration;
  std::unique_lock lock(pause_mutex_);
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (stop.stop_requested()) return false;
    if (now >= until) return true;
    // Waking once per idle tick keeps the backlog gauge current through a long backoff, while
    // events keep arriving.
    pause_cv_.wait_for(lock, stop,
                       std::min(std::chrono::ceil<milliseconds>(until - now), timing_.idle_tick),
                       [] { return false; });
    report_backlog();
  }
}

}  // namespace sluice::router
