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

Retention::Retention(RecordLog& log, const DeliveryState& state,
                     std::vector<std::string> destinations, std::chrono::milliseconds retention,
                     std::chrono::milliseconds interval)
    : log_(log),
      state_(state),
      destinations_(std::move(destinations)),
      retention_(retention),
      interval_(interval) {}

Retention::~Retention() {
  stop();
}

void Retention::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) {
    MutexLock lock(mutex_);
    while (!stop.stop_requested()) {
      lock.unlock();
      if (const Result<std::uint64_t> pass = run_once(); !pass.is_ok() && log_.is_open()) {
        spdlog::error("retention: {}", pass.status().message());
      }
      if (dedup_ != nullptr) dedup_->reclaim();
      lock.lock();
      wake_.wait_for(lock, stop, interval_, [] { return false; });
    }
  });
}

void Retention::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

Result<std::uint64_t> Retention::run_once() {
  if (log_.last_sequence() == 0) return std::uint64_t{0};
  const std::vector<std::string> names = destinations();
  const Result<std::uint64_t> delivered = delivered_below(names);
  if (!delivered.is_ok()) return delivered.status();

  std::uint64_t below = *delivered;
  if (retention_.count() > 0) {
    const Result<std::uint64_t> recent =
        first_sequence_received_from(log_, now_ms() - retention_.count());
    if (!recent.is_ok()) return recent.status();
    below = std::min(below, *recent);
  }
  below = std::min(below, log_.last_sequence());  // the last record carries the sequence
  if (below > deleted_below_) {
    if (Status deleted = log_.delete_before(below); !deleted.is_ok()) return deleted;
    spdlog::debug("retention: deleted the log below sequence {}", below);
    deleted_below_ = below;
  }
  // After the delete, so the estimate sees the compacted files.
  // Without destinations nothing is delivered, so the whole log is backlog, as at a start
  // without any (a reload may have removed the last one).
  log_.set_backlog_floor(names.empty() ? 0 : *delivered);
  return deleted_below_;
}

void Retention::set_destinations(std::vector<std::string> destinations) {
  MutexLock lock(destinations_mutex_);
  destinations_ = std::move(destinations);
}

std::vector<std::string> Retention::destinations() const {
  MutexLock lock(destinations_mutex_);
  return destinations_;
}

Result<std::uint64_t> Retention::delivered_below(
    const std::vector<std::string>& destinations) const {
  if (destinations.empty()) {
    // Nothing is delivered anywhere: keep everything unless the retention period says not to.
    return retention_.count() > 0 ? log_.last_sequence() + 1 : std::uint64_t{0};
  }
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
  for (const std::string& name : destinations) {
    const Result<std::uint64_t> cursor = state_.load_cursor(name);
    if (!cursor.is_ok()) return cursor.status();
    lowest = std::min(lowest, *cursor);
  }
  return lowest + 1;
}

}  // namespace sluice::storage
