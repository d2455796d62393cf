#include "router/delivery_lane.hpp"

#include <spdlog/spdlog.h>

#include "storage/record.hpp"

namespace sluice::router {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The batch's events as dead-letter contents: stored records, so they redeliver as they were.
std::vector<storage::DeadLetterEvent> contents_of(const Batch& batch) {
  std::vector<storage::DeadLetterEvent> contents;
  contents.reserve(batch.size());
  for (const OutgoingEvent& event : batch.events()) {
    storage::DeadLetterEvent& stored = contents.emplace_back();
    stored.sequence = event.sequence;
    storage::encode_record(event.record, stored.record);
  }
  return contents;
}

}  // namespace

DeliveryLane::DeliveryLane(const config::DestinationConfig& config, storage::EventLog& log,
                           std::unique_ptr<Destination> destination, DestinationMetrics& metrics,
                           LaneHost& host, std::uint64_t seed)
    : config_(config),
      log_(log),
      destination_(std::move(destination)),
      metrics_(metrics),
      host_(host),
      backoff_(config.retry_initial, config.retry_max, seed) {}

DeliveryLane::~DeliveryLane() {
  request_stop();
  join();
}

void DeliveryLane::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void DeliveryLane::submit(LaneJob job) {
  {
    MutexLock lock(mutex_);
    next_.emplace(std::move(job));
  }
  job_ready_.notify_one();
}

void DeliveryLane::request_stop() {
  thread_.request_stop();
}

void DeliveryLane::join() {
  if (thread_.joinable()) thread_.join();
}

void DeliveryLane::run(const std::stop_token& stop) {
  MutexLock lock(mutex_);
  while (job_ready_.wait(lock, stop, [this]() REQUIRES(mutex_) { return next_.has_value(); })) {
    LaneJob job = std::move(*next_);
    next_.reset();
    lock.unlock();
    try {
      if (job.kind == LaneJob::Kind::kTick) {
        tick();
        job.outcome = LaneJob::Outcome::kDelivered;
      } else {
        deliver(job, stop);
      }
    } catch (const std::exception& error) {
      // Only an allocation failure or a bug gets here: the job is settled by nobody, so the
      // events are delivered again after a restart; the loop goes on with the next job.
      spdlog::critical("destination {}: delivery failed: {}", config_.name, error.what());
      job.outcome = LaneJob::Outcome::kAbandoned;
    }
    host_.finished(job);
    lock.lock();
  }
  lock.unlock();
  try {
    destination_->close();
  } catch (const std::exception& error) {
    spdlog::error("destination {}: close failed: {}", config_.name, error.what());
  }
}

void DeliveryLane::deliver(LaneJob& job, const std::stop_token& stop) {
  for (std::uint64_t attempt = 1;; ++attempt) {
    const DeliveryResult result = this->attempt(job.batch);
    if (result.kind == DeliveryResult::Kind::kOk) {
      acknowledged(job.batch);
      job.outcome = LaneJob::Outcome::kDelivered;
      if (job.kind == LaneJob::Kind::kRedelivery) forget_dead_letter(job, stop);
      return;
    }
    metrics_.attempt_failed(result.reason);
    host_.attempt_failed(job.lane, result);
    if (result.kind == DeliveryResult::Kind::kPermanent ||
        (config_.max_attempts != 0 && attempt >= config_.max_attempts)) {
      job.outcome = dead_letter(job, result, attempt, stop) ? LaneJob::Outcome::kDeadLettered
                                                            : LaneJob::Outcome::kAbandoned;
      return;
    }
    const std::chrono::milliseconds delay = backoff_.delay(attempt, result.retry_after);
    metrics_.retry_scheduled();
    spdlog::warn("destination {}: attempt {} for events {}..{} failed ({}); retrying in {} ms",
                 config_.name, attempt, job.batch.first_sequence(), job.batch.last_sequence(),
                 result.describe(), delay.count());
    if (!host_.hold(delay, job.epoch, stop)) {
      job.outcome = LaneJob::Outcome::kAbandoned;
      return;
    }
  }
}

DeliveryResult DeliveryLane::attempt(const Batch& batch) {
  try {
    return destination_->deliver(batch.events());
  } catch (const std::exception& error) {
    return DeliveryResult::retry("exception", error.what());
  } catch (...) {
    return DeliveryResult::retry("exception", "unknown exception");
  }
}

void DeliveryLane::acknowledged(const Batch& batch) {
  metrics_.delivered(batch.size());
  const std::int64_t now = now_ms();
  for (const OutgoingEvent& event : batch.events()) {
    metrics_.delivery_latency(
        static_cast<double>(std::max<std::int64_t>(now - event.record.received_at_ms, 0)) / 1000);
  }
}

bool DeliveryLane::dead_letter(LaneJob& job, const DeliveryResult& result, std::uint64_t attempts,
                               const std::stop_token& stop) {
  storage::DeadLetter letter;
  if (job.kind == LaneJob::Kind::kRedelivery) {
    letter = job.letter;
    letter.attempts += attempts;
  } else {
    letter.destination = config_.name;
    letter.first_sequence = job.batch.first_sequence();
    letter.last_sequence = job.batch.last_sequence();
    letter.events = job.batch.size();
    letter.attempts = attempts;
  }
  letter.dead_lettered_at_ms = now_ms();
  letter.reason = result.describe();
  letter.contents = contents_of(job.batch);
  // The batch must not be dropped without its dead letter, so a failed write is retried; the
  // cursor moves past the batch only once the host hears it is saved.
  for (std::uint64_t failures = 1;; ++failures) {
    const Status saved = log_.delivery_state().save_dead_letter(letter, std::nullopt);
    if (saved.is_ok()) break;
    spdlog::error("destination {}: {}", config_.name, saved.message());
    if (!log_.records().is_open() || !host_.hold(backoff_.delay(failures), job.epoch, stop))
      return false;
  }
  spdlog::error("destination {}: dead-lettered {} events ({}..{}) after {} attempts: {}",
                config_.name, letter.events, letter.first_sequence, letter.last_sequence,
                letter.attempts, letter.reason);
  if (job.kind == LaneJob::Kind::kBatch) metrics_.dead_lettered(job.batch.size());
  return true;
}

void DeliveryLane::forget_dead_letter(const LaneJob& job, const std::stop_token& stop) {
  // Failing to erase it only means it shows (and may be redelivered) again.
  for (std::uint64_t failures = 1;; ++failures) {
    const Status erased =
        log_.delivery_state().erase_dead_letter(config_.name, job.letter.first_sequence);
    if (erased.is_ok()) break;
    spdlog::error("destination {}: {}", config_.name, erased.message());
    if (!log_.records().is_open() || !host_.hold(backoff_.delay(failures), job.epoch, stop)) return;
  }
  spdlog::info("destination {}: redelivered dead letter {} ({} events)", config_.name,
               job.letter.first_sequence, job.batch.size());
}

void DeliveryLane::tick() {
  try {
    destination_->tick();
  } catch (const std::exception& error) {
    spdlog::error("destination {}: tick failed: {}", config_.name, error.what());
  }
}

}  // namespace sluice::router
