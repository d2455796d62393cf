#include "bench/sluice_bench/worker.hpp"

#include <algorithm>

namespace sluice::bench {

namespace {

// How often deadlines are checked: the resolution of --timeout. One timer per thread instead
// of one per request keeps timer bookkeeping off the hot path.
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(50);
constexpr int kTicksPerPublish = 5;  // a fresh snapshot for the progress line every 250 ms

std::uint64_t to_micros(Clock::duration elapsed) {
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  return nanos <= 0 ? 0 : static_cast<std::uint64_t>(nanos + 500) / 1000;
}

}  // namespace

Worker::Worker(const RunPlan& plan, unsigned index, unsigned connections, double rate)
    : plan_(plan),
      // Only this worker's thread ever touches its io_context, sockets and timers, so Asio's
      // scheduler and reactor locks are pure cost.
      io_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE),
      builder_(plan.options, plan.heads,
               PayloadGenerator(plan.library, plan.users,
                                GeneratorSettings{plan.run_id, index, plan.seed + index,
                                                  plan.options.browser, plan.options.write_key})),
      watchdog_timer_(io_) {
  if (rate > 0) {
    // Workers' schedules interleave instead of all firing at the same instants.
    const std::chrono::duration<double> offset(static_cast<double>(index) / plan.options.threads /
                                               rate);
    schedule_.emplace(plan.start + std::chrono::duration_cast<Clock::duration>(offset), rate,
                      plan.options.pacing);
  }
  for (unsigned i = 0; i < connections; ++i) {
    connections_.push_back(std::make_unique<Connection>(*this));
  }
  acked_buffer_.reserve(AckedLog::kChunkBytes + 4096);
}

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
}

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

WorkerSnapshot Worker::snapshot() const {
  std::lock_guard lock(published_mutex_);
  return published_;
}

void Worker::run() {
  running_connections_ = connections_.size();
  for (auto& connection : connections_) connection->start();
  schedule_watchdog();
  io_.run();

  flush_acked();
  result_.stats = stats_;
  result_.last_completion = last_completion_;
  result_.failure = failure_;
  if (schedule_ && !request_limit_reached_) {
    const Clock::time_point end = std::min({plan_.deadline, stop_seen_, Clock::now()});
    const std::uint64_t due = schedule_->slots_due_by(end);
    result_.unsent = due > slots_taken_ ? due - slots_taken_ : 0;
  }
  publish();
  plan_.control->workers_running.fetch_sub(1, std::memory_order_release);
}

void Worker::schedule_watchdog() {
  if (running_connections_ == 0) return;
  watchdog_timer_.expires_after(kWatchdogPeriod);
  watchdog_timer_.async_wait([this](const boost::system::error_code&) { on_watchdog(); });
}

void Worker::on_watchdog() {
  const Clock::time_point now = Clock::now();
  const bool stop = stopping();
  if (stop && stop_seen_ == Clock::time_point::max()) stop_seen_ = now;
  for (auto& connection : connections_) {
    if (!connection->finished()) connection->expire(now, stop);
  }
  if (++watchdog_ticks_ % kTicksPerPublish == 0) publish();
  schedule_watchdog();
}

void Worker::publish() {
  std::lock_guard lock(published_mutex_);
  published_.stats = stats_;
  published_.completed = completed_;
}

bool Worker::stopping() const {
  return plan_.control->stop.load(std::memory_order_relaxed);
}

bool Worker::claim_request() {
  if (plan_.options.requests == 0) return true;
  if (plan_.control->requests_claimed.fetch_add(1, std::memory_order_relaxed) <
      plan_.options.requests) {
    return true;
  }
  request_limit_reached_ = true;
  return false;
}

Clock::time_point Worker::take_slot() {
  return schedule_->slot(slots_taken_++);
}

Worker::Window Worker::window(Clock::time_point now) const {
  if (now < plan_.measure_start) return Window::kWarmup;
  if (now > plan_.deadline) return Window::kLate;
  return Window::kMeasured;
}

void Worker::record_sent(Clock::time_point now, const OutgoingRequest& request) {
  if (window(now) != Window::kMeasured) return;
  stats_.bytes_sent += request.wire_bytes;
  stats_.events_sent += request.events.count;
}

void Worker::record_response(Clock::time_point now, Clock::time_point started, int status,
                             EventRange events, std::string_view body) {
  ++completed_;
  const bool ok = status >= 200 && status < 300;
  // Acknowledged events go to --acked whenever they were answered, warmup and late ones too:
  // verify must find every event the server confirmed.
  const std::uint32_t rejected = ok ? acknowledge(events, body) : 0;
  switch (window(now)) {
    case Window::kWarmup:
      return;
    case Window::kLate:
      ++stats_.late_responses;
      return;
    case Window::kMeasured:
      break;
  }
  ++stats_.responses;
  ++stats_.statuses[status > 0 && status < static_cast<int>(RunStats::kStatusCodes) ? status : 0];
  if (ok) {
    ++stats_.ok_responses;
    stats_.events_acked += events.count - rejected;
    stats_.events_rejected += rejected;
  }
  stats_.latency.record(to_micros(now - started));
  last_completion_ = now;
}

void Worker::record_error(Clock::time_point now, ErrorKind kind) {
  ++completed_;
  if (window(now) != Window::kMeasured) return;
  ++stats_.errors[static_cast<std::size_t>(kind)];
  last_completion_ = now;
}

void Worker::connection_finished() {
  if (--running_connections_ == 0) watchdog_timer_.cancel();
}

void Worker::fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
  plan_.control->stop.store(true, std::memory_order_relaxed);
}

std::uint32_t Worker::acknowledge(EventRange events, std::string_view body) {
  std::vector<bool> rejected;
  std::uint32_t rejected_count = 0;
  // Sluice answers 200 for a batch with invalid items and names them; those are not stored.
  // sluice-bench's events are valid, so this is the rare path.
  if (body.find("\"rejected\"") != std::string_view::npos) {
    rejected.assign(events.count, false);
    simdjson::dom::element root;
    simdjson::dom::array list;
    if (rejected_parser_.parse(body.data(), body.size()).get(root) || root["rejected"].get(list)) {
      // Unreadable: claim nothing, so verify cannot report as lost what was never stored.
      return events.count;
    }
    for (simdjson::dom::element item : list) {
      std::uint64_t index = 0;
      if (!item["index"].get(index) && index < events.count && !rejected[index]) {
        rejected[index] = true;
        ++rejected_count;
      }
    }
  }
  if (plan_.acked == nullptr) return rejected_count;
  for (std::uint32_t i = 0; i < events.count; ++i) {
    if (!rejected.empty() && rejected[i]) continue;
    builder_.generator().append_message_id(events.first + i, acked_buffer_);
    acked_buffer_ += '\n';
  }
  if (acked_buffer_.size() >= AckedLog::kChunkBytes) flush_acked();
  return rejected_count;
}

void Worker::flush_acked() {
  if (plan_.acked == nullptr || acked_buffer_.empty()) return;
  plan_.acked->write(acked_buffer_);
  acked_buffer_.clear();
}

}  // namespace sluice::bench
