#include "storage/retention.hpp"

#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

#include "storage/sequence_search.hpp"

namespace sluice::storage {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Retention::Retention(EventLog& log, std::vector<std::string> destinations,
                     std::chrono::milliseconds retention, std::chrono::milliseconds interval)
    : log_(log),
      destinations_(std::move(destinations)),
      retention_(retention),
      interval_(interval) {}

Retention::~Retention() {
  stop();
}

void Retention::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      lock.unlock();
      std::string error;
      if (!run_once(&error) && log_.is_open()) spdlog::error("retention: {}", error);
      lock.lock();
      wake_.wait_for(lock, stop, interval_, [] { return false; });
    }
  });
}

void Retention::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::uint64_t> Retention::run_once(std::string* error) {
  if (log_.last_sequence() == 0) return 0;
  const auto delivered = delivered_below(error);
  if (!delivered) return std::nullopt;

  std::uint64_t below = *delivered;
  if (retention_.count() > 0) {
    const auto recent = first_sequence_received_from(log_, now_ms() - retention_.count(), error);
    if (!recent) return std::nullopt;
    below = std::min(below, *recent);
  }
  below = std::min(below, log_.last_sequence());  // the last record carries the sequence
  if (below > deleted_below_) {
    if (!log_.delete_before(below, error)) return std::nullopt;
    spdlog::debug("retention: deleted the log below sequence {}", below);
    deleted_below_ = below;
  }
  // After the delete, so the estimate sees the compacted files.
  if (!destinations_.empty()) log_.set_backlog_floor(*delivered);
  return deleted_below_;
}

std::optional<std::uint64_t> Retention::delivered_below(std::string* error) const {
  if (destinations_.empty()) {
    // Nothing is delivered anywhere: keep everything unless the retention period says not to.
    return retention_.count() > 0 ? log_.last_sequence() + 1 : 0;
  }
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
  for (const std::string& name : destinations_) {
    const auto cursor = log_.load_cursor(name, error);
    if (!cursor) return std::nullopt;
    lowest = std::min(lowest, *cursor);
  }
  return lowest + 1;
}

}  // namespace sluice::storage
