#include "router/delivery_loop.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::router {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::uint64_t random_seed(const std::string& name, std::size_t lane) {
  return (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
         std::hash<std::string>{}(name) ^ lane;
}

std::string describe(const DeliveryResult& result) {
  return result.detail.empty() ? result.reason : result.reason + ": " + result.detail;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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
      filter_(config_),
      batch_(config_.batch_max_events, config_.batch_max_bytes),
      read_backoff_(config_.retry_initial, config_.retry_max, random_seed(config_.name, 0)) {
  LaneHost& host = *this;
  for (auto& destination : destinations) {
    lanes_.push_back(std::make_unique<DeliveryLane>(config_, log_, std::move(destination), metrics_,
                                                    host,
                                                    random_seed(config_.name, lanes_.size())));
  }
  lane_busy_.assign(lanes_.size(), false);
  lane_retrying_.assign(lanes_.size(), false);
}

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
  for (auto& lane : lanes_) lane->start();
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void DeliveryLoop::request_stop() {
  thread_.request_stop();
  for (auto& lane : lanes_) lane->request_stop();
}

void DeliveryLoop::join() {
  if (thread_.joinable()) thread_.join();
  for (auto& lane : lanes_) lane->join();
}

void DeliveryLoop::run(const std::stop_token& stop) {
  try {
    if (load_cursor(stop)) {
      while (serve_requests(stop)) {
        const Fill fill = fill_batch(stop);
        if (fill == Fill::kStopped) break;
        if (fill == Fill::kInterrupted) continue;
        if (const auto lane = idle_lane(stop)) submit_batch(*lane);
      }
    }
  } catch (const std::exception& error) {
    // A bug or an allocation failure: stop this destination (its backlog shows in the metrics)
    // rather than take intake down with the process.
    spdlog::critical("destination {}: delivery stopped: {}", config_.name, error.what());
  }
  {
    std::lock_guard lock(mutex_);
    state_ = LoopState::kStopped;
  }
  // Lanes finish what they are doing (a deliver() in progress), then stop; what they settled
  // is saved below, waiting for the write, so the cursor is durable when the loop has stopped.
  for (auto& lane : lanes_) lane->request_stop();
  for (auto& lane : lanes_) lane->join();
  if (log_.records().is_open()) save_cursor(true);
}

bool DeliveryLoop::load_cursor(const std::stop_token& stop) {
  for (std::uint64_t failures = 1;; ++failures) {
    const Result<std::uint64_t> cursor = log_.delivery_state().load_cursor(config_.name);
    if (cursor.is_ok()) {
      {
        std::lock_guard lock(mutex_);
        window_.reset(*cursor);
        state_ = LoopState::kRunning;
      }
      {
        std::lock_guard save(save_mutex_);
        saved_cursor_ = *cursor;
      }
      position_ = *cursor + 1;
      last_tick_ = Clock::now();
      metrics_.cursor(*cursor);
      report_backlog();
      return true;
    }
    spdlog::error("destination {}: {}", config_.name, cursor.status().message());
    if (!log_.records().is_open()) return false;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, stop, read_backoff_.delay(failures), [] { return false; });
    if (stop.stop_requested()) return false;
  }
}

DeliveryLoop::Fill DeliveryLoop::fill_batch(const std::stop_token& stop) {
  std::uint64_t read_failures = 0;
  while (!stop.stop_requested() && log_.records().is_open()) {
    {
      std::lock_guard lock(mutex_);
      if (request_waiting()) return Fill::kInterrupted;
    }
    bool batch_ready = false;
    const Result<std::uint64_t> next =
        log_.records().read(position_, timing_.read_chunk, 0,
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
    if (!next.is_ok()) {
      spdlog::error("destination {}: cannot read the log: {}", config_.name,
                    next.status().message());
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, stop, read_backoff_.delay(++read_failures),
                        [this] { return request_waiting(); });
      continue;
    }
    read_failures = 0;
    position_ = *next;
    if (batch_ready) return Fill::kReady;

    report_backlog();
    const Clock::time_point now = Clock::now();
    const bool caught_up = position_ > log_.records().last_sequence();
    if (!batch_.empty()) {
      const Clock::time_point deadline = batch_.started_at() + config_.batch_max_wait;
      if (now >= deadline) return Fill::kReady;
      if (caught_up) {
        log_.records().wait_for_sequence(
            position_, std::min(std::chrono::ceil<milliseconds>(deadline - now), timing_.idle_tick),
            stop);
      }
      continue;
    }
    // Nothing to deliver: everything before position_ was filtered out.
    skipped(position_ - 1);
    if (!caught_up) continue;
    if (now - last_tick_ >= timing_.idle_tick) {
      tick_lanes();
      last_tick_ = now;
    }
    const auto until_tick = std::chrono::ceil<milliseconds>(last_tick_ + timing_.idle_tick - now);
    log_.records().wait_for_sequence(position_, std::max(until_tick, milliseconds(1)), stop);
  }
  return Fill::kStopped;
}

bool DeliveryLoop::serve_requests(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop.stop_requested()) return false;
    if (replay_to_) {
      // Lanes drop their jobs of the old epoch at their next attempt boundary; the window is
      // reset only once none is left, so no old acknowledgement can move the new cursor.
      if (std::find(lane_busy_.begin(), lane_busy_.end(), true) != lane_busy_.end()) {
        changed_.wait_for(lock, stop, timing_.idle_tick, [] { return false; });
        continue;
      }
      const std::uint64_t cursor = *replay_to_;
      replay_to_.reset();
      window_.reset(cursor);
      lock.unlock();
      batch_.clear();
      position_ = cursor + 1;
      save_cursor(true);
      report_backlog();
      spdlog::info("destination {}: replaying from sequence {}", config_.name, cursor + 1);
      lock.lock();
      continue;
    }
    if (paused_) {
      changed_.wait_for(lock, stop, timing_.idle_tick,
                        [this] { return !paused_ || replay_to_.has_value(); });
      lock.unlock();
      report_backlog();
      lock.lock();
      continue;
    }
    if (!redeliveries_.empty()) {
      if (const auto lane = idle_lane_locked()) {
        const std::uint64_t id = redeliveries_.front();
        redeliveries_.pop_front();
        lock.unlock();
        submit_redelivery(*lane, id);
        lock.lock();
        continue;
      }
    }
    return true;
  }
}

std::optional<std::size_t> DeliveryLoop::idle_lane(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested() && !request_waiting()) {
    if (const auto lane = idle_lane_locked()) return lane;
    // Waking once per idle tick keeps the backlog gauges current while every lane is busy,
    // for example retrying against a destination that is down.
    changed_.wait_for(lock, stop, timing_.idle_tick,
                      [this] { return request_waiting() || idle_lane_locked().has_value(); });
    lock.unlock();
    report_backlog();
    lock.lock();
  }
  return std::nullopt;
}

std::optional<std::size_t> DeliveryLoop::idle_lane_locked() const {
  const auto idle = std::find(lane_busy_.begin(), lane_busy_.end(), false);
  if (idle == lane_busy_.end()) return std::nullopt;
  return static_cast<std::size_t>(idle - lane_busy_.begin());
}

bool DeliveryLoop::request_waiting() const {
  return replay_to_.has_value() || paused_ ||
         (!redeliveries_.empty() && idle_lane_locked().has_value());
}

void DeliveryLoop::dispatch(std::size_t lane, LaneJob job) {
  {
    std::lock_guard lock(mutex_);
    job.lane = lane;
    job.epoch = epoch_;
    if (job.kind == LaneJob::Kind::kBatch) job.slot = window_.open(position_ - 1);
    lane_busy_[lane] = true;
  }
  lanes_[lane]->submit(std::move(job));
}

void DeliveryLoop::submit_batch(std::size_t lane) {
  LaneJob job;
  job.kind = LaneJob::Kind::kBatch;
  job.batch = std::exchange(batch_, Batch(config_.batch_max_events, config_.batch_max_bytes));
  last_tick_ = Clock::now();
  dispatch(lane, std::move(job));
}

void DeliveryLoop::submit_redelivery(std::size_t lane, std::uint64_t id) {
  Result<storage::DeadLetter> letter = log_.delivery_state().dead_letter(config_.name, id);
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
    // Nothing left to deliver (a dead letter from before events were kept in it).
    // Failing to erase it only means it shows (and may be redelivered) again.
    (void)log_.delivery_state().erase_dead_letter(config_.name, id);
    return;
  }
  letter->contents.clear();
  job.letter = std::move(*letter);
  dispatch(lane, std::move(job));
}

void DeliveryLoop::tick_lanes() {
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
    {
      std::lock_guard lock(mutex_);
      if (lane_busy_[lane]) continue;
    }
    LaneJob job;
    job.kind = LaneJob::Kind::kTick;
    dispatch(lane, std::move(job));
  }
}

void DeliveryLoop::skipped(std::uint64_t done_to) {
  {
    std::lock_guard lock(mutex_);
    if (done_to <= window_.end()) return;
    window_.complete(window_.open(done_to));
  }
  bool due = false;
  {
    std::lock_guard save(save_mutex_);
    due = Clock::now() - last_save_ >= timing_.skip_save_interval;
  }
  if (due) save_cursor();
}

void DeliveryLoop::save_cursor(bool force) {
  std::lock_guard save(save_mutex_);
  std::uint64_t cursor = 0;
  {
    std::lock_guard lock(mutex_);
    cursor = window_.cursor();
  }
  if (!force && cursor <= saved_cursor_) return;
  // A forward move is queued without waiting, so delivery never waits for the committer (a
  // crash may lose the last few saves: duplicates, never a skipped event). A replay's move
  // back is waited for.
  const Status saved =
      force ? log_.delivery_state().save_cursor(config_.name, cursor) : log_.delivery_state().queue_cursor(config_.name, cursor);
  if (saved.is_ok()) {
    saved_cursor_ = cursor;
  } else {
    // The next save writes a later cursor; until then a restart redelivers from the old one.
    spdlog::error("destination {}: {}", config_.name, saved.message());
  }
  last_save_ = Clock::now();
  metrics_.cursor(cursor);
  const std::uint64_t last = log_.records().last_sequence();
  metrics_.backlog(last > cursor ? last - cursor : 0);
}

void DeliveryLoop::report_backlog() {
  std::uint64_t cursor = 0;
  {
    std::lock_guard lock(mutex_);
    cursor = window_.cursor();
  }
  const std::uint64_t last = log_.records().last_sequence();
  metrics_.backlog(last > cursor ? last - cursor : 0);
  // The byte and age figures read RocksDB: once a second is plenty for a gauge.
  const Clock::time_point now = Clock::now();
  if (now - last_gauges_ < std::chrono::seconds(1)) return;
  last_gauges_ = now;
  metrics_.backlog_bytes(log_.records().approximate_bytes(cursor + 1, last + 1));
  const auto oldest = oldest_undelivered_age(cursor);
  metrics_.oldest_undelivered_age(oldest ? std::chrono::duration<double>(*oldest).count() : 0);
}

std::optional<milliseconds> DeliveryLoop::oldest_undelivered_age(std::uint64_t cursor) const {
  std::optional<milliseconds> age;
  const Result<std::uint64_t> read =
      log_.records().read(cursor + 1, 1, 0, [&](std::uint64_t, const storage::Record& record) {
        age = milliseconds(std::max<std::int64_t>(now_ms() - record.received_at_ms, 0));
        return true;
      });
  // A gauge: a failed read (logged by the reading loop) shows as no age rather than a stale one.
  if (!read.is_ok()) return std::nullopt;
  return age;
}

DestinationStatus DeliveryLoop::status() const {
  DestinationStatus status;
  status.name = config_.name;
  status.type = std::string(config::to_string(config_.type()));
  {
    std::lock_guard lock(mutex_);
    status.cursor = window_.cursor();
    const bool retrying =
        std::find(lane_retrying_.begin(), lane_retrying_.end(), true) != lane_retrying_.end();
    status.state = state_ != LoopState::kRunning ? state_
                   : paused_                     ? LoopState::kPaused
                   : retrying                    ? LoopState::kRetrying
                                                 : LoopState::kRunning;
    status.last_error = last_error_;
    status.delivered_events = delivered_;
  }
  status.last_sequence = log_.records().last_sequence();
  if (status.last_sequence > status.cursor) {
    status.backlog_events = status.last_sequence - status.cursor;
    status.backlog_bytes = log_.records().approximate_bytes(status.cursor + 1, status.last_sequence + 1);
    status.oldest_undelivered_age = oldest_undelivered_age(status.cursor);
  }
  if (const auto letters = log_.delivery_state().dead_letters(config_.name); letters.is_ok()) {
    status.dead_letters = letters->size();
  }
  return status;
}

void DeliveryLoop::pause() {
  {
    std::lock_guard lock(mutex_);
    paused_ = true;
  }
  changed_.notify_all();
  spdlog::info("destination {}: paused", config_.name);
}

void DeliveryLoop::resume() {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  changed_.notify_all();
  spdlog::info("destination {}: resumed", config_.name);
}

void DeliveryLoop::replay(std::uint64_t cursor) {
  {
    std::lock_guard lock(mutex_);
    replay_to_ = cursor;
    ++epoch_;
  }
  changed_.notify_all();
}

void DeliveryLoop::redeliver(std::uint64_t dead_letter) {
  {
    std::lock_guard lock(mutex_);
    if (std::find(redeliveries_.begin(), redeliveries_.end(), dead_letter) == redeliveries_.end()) {
      redeliveries_.push_back(dead_letter);
    }
  }
  changed_.notify_all();
}

bool DeliveryLoop::hold(milliseconds duration, std::uint64_t epoch, const std::stop_token& stop) {
  const Clock::time_point until = Clock::now() + duration;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop.stop_requested() || epoch != epoch_) return false;
    const Clock::time_point now = Clock::now();
    if (!paused_ && now >= until) return true;
    const milliseconds wait =
        paused_ ? timing_.idle_tick
                : std::min(std::chrono::ceil<milliseconds>(until - now), timing_.idle_tick);
    changed_.wait_for(lock, stop, wait, [&] { return epoch != epoch_; });
  }
}

void DeliveryLoop::attempt_failed(std::size_t lane, const DeliveryResult& result) {
  std::lock_guard lock(mutex_);
  lane_retrying_[lane] = true;
  last_error_ = describe(result);
}

void DeliveryLoop::finished(LaneJob& job) {
  bool moved = false;
  {
    std::lock_guard lock(mutex_);
    lane_busy_[job.lane] = false;
    lane_retrying_[job.lane] = false;
    if (job.outcome == LaneJob::Outcome::kDelivered && job.kind != LaneJob::Kind::kTick) {
      delivered_ += job.batch.size();
      last_error_.clear();
    }
    if (job.kind == LaneJob::Kind::kBatch && job.epoch == epoch_) {
      if (job.outcome != LaneJob::Outcome::kAbandoned) {
        const std::uint64_t before = window_.cursor();
        moved = window_.complete(job.slot) > before;
      } else {
        // Abandoned without a replay: stopping, or a lane failed in a way it could not handle.
        // Either way the cursor cannot pass this batch, so the loop stops; a restart delivers
        // it again.
        thread_.request_stop();
      }
    }
  }
  changed_.notify_all();
  if (moved) save_cursor();
}

}  // namespace sluice::router
