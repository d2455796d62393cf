#include "router/delivery_loop.hpp"

#include <exception>
#include <limits>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::router {
namespace {

std::vector<std::unique_ptr<Destination>> one(std::unique_ptr<Destination> destination) {
  std::vector<std::unique_ptr<Destination>> destinations;
  destinations.push_back(std::move(destination));
  return destinations;
}

}  // namespace

DeliveryLoop::DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
                           std::vector<std::unique_ptr<Destination>> destinations,
                           DestinationMetrics metrics, LoopTiming timing)
    : config_(std::move(config)),
      log_(log),
      metrics_(std::move(metrics)),
      timing_(timing),
      requests_(signal_, timing_.idle_tick),
      cursor_(config_.name, log_, metrics_, timing_.skip_save_interval, config_.retry_initial,
              config_.retry_max),
      source_(config_, log_.records(), timing_),
      lanes_(config_, log_, std::move(destinations), metrics_, *this, signal_) {}

DeliveryLoop::DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
                           std::unique_ptr<Destination> destination, DestinationMetrics metrics,
                           LoopTiming timing)
    : DeliveryLoop(std::move(config), log, one(std::move(destination)), std::move(metrics),
                   timing) {}

DeliveryLoop::~DeliveryLoop() {
  request_stop();
  join();
}

void DeliveryLoop::start() {
  lanes_.start();
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void DeliveryLoop::request_stop() {
  thread_.request_stop();
  lanes_.request_stop();
}

void DeliveryLoop::join() {
  if (thread_.joinable()) thread_.join();
  lanes_.join();
}

void DeliveryLoop::run(const std::stop_token& stop) {
  try {
    if (const std::optional<std::uint64_t> cursor = cursor_.load(stop, signal_)) {
      source_.start(*cursor);
      state_.store(LoopState::kRunning);
      cursor_.report_backlog();
      while (serve_requests(stop)) {
        const BatchSource::Fill fill = source_.fill(stop, *this);
        if (fill == BatchSource::Fill::kStopped) break;
        if (fill == BatchSource::Fill::kInterrupted) continue;
        if (const auto lane = wait_for_idle_lane(stop)) submit_batch(*lane);
      }
    }
  } catch (const std::exception& error) {
    // A bug or an allocation failure: stop this destination (its backlog shows in the metrics)
    // rather than take intake down with the process.
    spdlog::critical("destination {}: delivery stopped: {}", config_.name, error.what());
  }
  state_.store(LoopState::kStopped);
  // Lanes finish what they are doing (a deliver() in progress), then stop; what they settled
  // is saved below, waiting for the write, so the cursor is durable when the loop has stopped.
  lanes_.request_stop();
  lanes_.join();
  if (log_.records().is_open()) cursor_.save_now();
}

bool DeliveryLoop::serve_requests(const std::stop_token& stop) {
  for (;;) {
    if (stop.stop_requested()) return false;
    if (requests_.replay_pending()) {
      // Lanes drop their jobs of the old epoch at their next attempt boundary; the cursor is
      // reset only once none is left, so no old acknowledgement can move the new cursor.
      if (lanes_.any_busy()) {
        signal_.sleep_for(stop, timing_.idle_tick);
        continue;
      }
      if (const std::optional<std::uint64_t> cursor = requests_.take_replay()) {
        cursor_.reset(*cursor);
        source_.rewind(*cursor);
        cursor_.report_backlog();
        spdlog::info("destination {}: replaying from sequence {}", config_.name, *cursor + 1);
      }
      continue;
    }
    if (requests_.paused()) {
      signal_.wait_for(stop, timing_.idle_tick,
                       [this] { return !requests_.paused() || requests_.replay_pending(); });
      cursor_.report_backlog();
      continue;
    }
    if (requests_.redelivery_pending()) {
      if (const std::optional<std::size_t> lane = lanes_.idle_lane()) {
        if (const std::optional<std::uint64_t> id = requests_.take_redelivery()) {
          submit_redelivery(*lane, *id);
        }
        continue;
      }
    }
    return true;
  }
}

std::optional<std::size_t> DeliveryLoop::wait_for_idle_lane(const std::stop_token& stop) {
  while (!stop.stop_requested() && !request_waiting()) {
    if (const std::optional<std::size_t> lane = lanes_.idle_lane()) return lane;
    // Waking once per idle tick keeps the backlog gauges current while every lane is busy,
    // for example retrying against a destination that is down.
    signal_.wait_for(stop, timing_.idle_tick,
                     [this] { return request_waiting() || lanes_.idle_lane().has_value(); });
    cursor_.report_backlog();
  }
  return std::nullopt;
}

void DeliveryLoop::dispatch(std::size_t lane, LaneJob job) {
  job.epoch = requests_.epoch();
  if (job.kind == LaneJob::Kind::kBatch) job.slot = cursor_.open(source_.position() - 1);
  lanes_.dispatch(lane, std::move(job));
}

void DeliveryLoop::submit_batch(std::size_t lane) {
  LaneJob job;
  job.kind = LaneJob::Kind::kBatch;
  job.batch = source_.take();
  dispatch(lane, std::move(job));
}

void DeliveryLoop::submit_redelivery(std::size_t lane, std::uint64_t id) {
  storage::DeliveryState& state = log_.delivery_state();
  Result<storage::DeadLetter> letter = state.dead_letter(config_.name, id);
  if (!letter.is_ok()) {
    spdlog::error("destination {}: cannot redeliver dead letter {}: {}", config_.name, id,
                  letter.status().code() == StatusCode::kNotFound ? "there is no such dead letter"
                                                                  : letter.status().message());
    return;
  }
  LaneJob job;
  job.kind = LaneJob::Kind::kRedelivery;
  job.batch = Batch(letter->contents.size(), std::numeric_limits<std::uint64_t>::max());
  for (const storage::DeadLetterEvent& event : letter->contents) {
    const auto record = storage::decode_record(event.record);
    if (!record) {
      spdlog::error("destination {}: dead letter {} holds an undecodable record", config_.name, id);
      return;
    }
    job.batch.add(event.sequence, *record);
  }
  if (job.batch.empty()) {
    // Nothing left to deliver (a dead letter from before events were kept in it). Failing to
    // erase it only means it shows (and may be redelivered) again.
    (void)state.erase_dead_letter(config_.name, id);
    return;
  }
  letter->contents.clear();
  job.letter = std::move(letter).value();
  dispatch(lane, std::move(job));
}

bool DeliveryLoop::request_waiting() {
  return requests_.replay_pending() || requests_.paused() ||
         (requests_.redelivery_pending() && lanes_.idle_lane().has_value());
}

void DeliveryLoop::pause_after_failure(std::chrono::milliseconds delay,
                                       const std::stop_token& stop) {
  signal_.wait_for(stop, delay, [this] { return request_waiting(); });
}

void DeliveryLoop::read_progressed() {
  cursor_.report_backlog();
}

void DeliveryLoop::skipped(std::uint64_t done_to) {
  cursor_.skipped(done_to);
}

void DeliveryLoop::idle() {
  for (const std::size_t lane : lanes_.idle_lanes()) {
    LaneJob job;
    job.kind = LaneJob::Kind::kTick;
    dispatch(lane, std::move(job));
  }
}

DestinationStatus DeliveryLoop::status() const {
  DestinationStatus status;
  status.name = config_.name;
  status.type = std::string(config::to_string(config_.type()));
  status.cursor = cursor_.cursor();
  const LoopState state = state_.load();
  status.state = state != LoopState::kRunning ? state
                 : requests_.paused()         ? LoopState::kPaused
                 : lanes_.any_retrying()      ? LoopState::kRetrying
                                              : LoopState::kRunning;
  status.last_error = lanes_.last_error();
  status.delivered_events = lanes_.delivered();
  status.last_sequence = log_.records().last_sequence();
  if (status.last_sequence > status.cursor) {
    status.backlog_events = status.last_sequence - status.cursor;
    status.backlog_bytes =
        log_.records().approximate_bytes(status.cursor + 1, status.last_sequence + 1);
    status.oldest_undelivered_age = cursor_.oldest_undelivered_age(status.cursor);
  }
  if (const auto letters = log_.delivery_state().dead_letters(config_.name); letters.is_ok()) {
    status.dead_letters = letters->size();
  }
  return status;
}

void DeliveryLoop::pause() {
  requests_.pause();
  spdlog::info("destination {}: paused", config_.name);
}

void DeliveryLoop::resume() {
  requests_.resume();
  spdlog::info("destination {}: resumed", config_.name);
}

void DeliveryLoop::replay(std::uint64_t cursor) {
  requests_.replay(cursor);
}

void DeliveryLoop::redeliver(std::uint64_t dead_letter) {
  requests_.redeliver(dead_letter);
}

bool DeliveryLoop::hold(std::chrono::milliseconds duration, std::uint64_t epoch,
                        const std::stop_token& stop) {
  return requests_.hold(duration, epoch, stop);
}

void DeliveryLoop::attempt_failed(std::size_t lane, const DeliveryResult& result) {
  lanes_.attempt_failed(lane, result);
}

void DeliveryLoop::finished(LaneJob& job) {
  if (job.kind == LaneJob::Kind::kBatch && job.epoch == requests_.epoch()) {
    if (job.outcome != LaneJob::Outcome::kAbandoned) {
      // Settled before the lane shows idle: a replay, which waits for idle lanes, then finds
      // this batch's move already made and resets the cursor after it.
      cursor_.settle(job.slot);
    } else {
      // Abandoned without a replay: stopping, or a lane failed in a way it could not handle.
      // Either way the cursor cannot pass this batch, so the loop stops; a restart delivers
      // it again.
      thread_.request_stop();
    }
  }
  lanes_.finished(job);
}

}  // namespace sluice::router
