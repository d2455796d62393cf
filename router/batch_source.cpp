#include "router/batch_source.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::router {

using std::chrono::milliseconds;

BatchSource::BatchSource(const config::DestinationConfig& config, const storage::RecordLog& log,
                         LoopTiming timing)
    : config_(config),
      log_(log),
      timing_(timing),
      filter_(config),
      batch_(empty_batch()),
      read_backoff_(config.retry_initial, config.retry_max, backoff_seed(config.name, 0)) {}

Batch BatchSource::empty_batch() const {
  return Batch(config_.batch_max_events, config_.batch_max_bytes);
}

void BatchSource::start(std::uint64_t cursor) {
  position_ = cursor + 1;
  last_tick_ = Clock::now();
}

void BatchSource::rewind(std::uint64_t cursor) {
  batch_.clear();
  position_ = cursor + 1;
}

Batch BatchSource::take() {
  last_tick_ = Clock::now();
  return std::exchange(batch_, empty_batch());
}

BatchSource::Fill BatchSource::fill(const std::stop_token& stop, BatchSourceHost& host) {
  std::uint64_t read_failures = 0;
  while (!stop.stop_requested() && log_.is_open()) {
    if (host.request_waiting()) return Fill::kInterrupted;
    bool batch_ready = false;
    // Past the last record the visitor took (added or filtered out), so that a read that fails
    // halfway does not hand the same records to the batch twice.
    std::uint64_t consumed_to = position_;
    const Result<std::uint64_t> next =
        log_.read(position_, timing_.read_chunk, 0,
                  [&](std::uint64_t sequence, const storage::Record& record) {
                    if (batch_ready) return false;
                    consumed_to = sequence + 1;
                    if (!filter_.matches(record)) return true;
                    if (!batch_.has_room_for(record.json.size())) {
                      batch_ready = true;
                      consumed_to = sequence;
                      return false;
                    }
                    batch_.add(sequence, record);
                    batch_ready = batch_.full();
                    return true;
                  });
    if (!next.is_ok()) {
      spdlog::error("destination {}: cannot read the log: {}", config_.name,
                    next.status().message());
      position_ = consumed_to;
      // What was read before the failure is delivered on time, even if the failure persists.
      if (!batch_.empty() && Clock::now() >= batch_.started_at() + config_.batch_max_wait) {
        return Fill::kReady;
      }
      host.pause_after_failure(read_backoff_.delay(++read_failures), stop);
      continue;
    }
    read_failures = 0;
    position_ = *next;
    if (batch_ready) return Fill::kReady;

    host.read_progressed();
    const Clock::time_point now = Clock::now();
    const bool caught_up = position_ > log_.last_sequence();
    if (!batch_.empty()) {
      const Clock::time_point deadline = batch_.started_at() + config_.batch_max_wait;
      if (now >= deadline) return Fill::kReady;
      if (caught_up) {
        log_.wait_for_sequence(
            position_, std::min(std::chrono::ceil<milliseconds>(deadline - now), timing_.idle_tick),
            stop);
      }
      continue;
    }
    // Nothing to deliver: everything before position_ was filtered out.
    host.skipped(position_ - 1);
    if (!caught_up) continue;
    if (now - last_tick_ >= timing_.idle_tick) {
      host.idle();
      last_tick_ = now;
    }
    const auto until_tick = std::chrono::ceil<milliseconds>(last_tick_ + timing_.idle_tick - now);
    log_.wait_for_sequence(position_, std::max(until_tick, milliseconds(1)), stop);
  }
  return Fill::kStopped;
}

}  // namespace sluice::router
