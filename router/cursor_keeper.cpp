#include "router/cursor_keeper.hpp"

#include <algorithm>
#include <utility>

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

}  // namespace

CursorKeeper::CursorKeeper(std::string destination, storage::EventLog& log,
                           DestinationMetrics& metrics, milliseconds skip_save_interval,
                           milliseconds retry_initial, milliseconds retry_max)
    : destination_(std::move(destination)),
      log_(log),
      metrics_(metrics),
      skip_save_interval_(skip_save_interval),
      load_backoff_(retry_initial, retry_max, backoff_seed(destination_, 0)) {}

std::optional<std::uint64_t> CursorKeeper::load(const std::stop_token& stop, LoopSignal& signal) {
  for (std::uint64_t failures = 1;; ++failures) {
    const Result<std::uint64_t> cursor = log_.delivery_state().load_cursor(destination_);
    if (cursor.is_ok()) {
      {
        MutexLock lock(mutex_);
        window_.reset(*cursor);
      }
      {
        MutexLock saving(save_mutex_);
        saved_cursor_ = *cursor;
      }
      metrics_.cursor(*cursor);
      return *cursor;
    }
    spdlog::error("destination {}: {}", destination_, cursor.status().message());
    if (!log_.records().is_open()) return std::nullopt;
    signal.sleep_for(stop, load_backoff_.delay(failures));
    if (stop.stop_requested()) return std::nullopt;
  }
}

std::uint64_t CursorKeeper::cursor() const {
  MutexLock lock(mutex_);
  return window_.cursor();
}

std::uint64_t CursorKeeper::open(std::uint64_t done_to) {
  MutexLock lock(mutex_);
  return window_.open(done_to);
}

void CursorKeeper::settle(std::uint64_t slot) {
  bool moved = false;
  {
    MutexLock lock(mutex_);
    const std::uint64_t before = window_.cursor();
    moved = window_.complete(slot) > before;
  }
  if (moved) save(false);
}

void CursorKeeper::skipped(std::uint64_t done_to) {
  {
    MutexLock lock(mutex_);
    if (done_to <= window_.end()) return;
    window_.complete(window_.open(done_to));
  }
  bool due = false;
  {
    MutexLock saving(save_mutex_);
    due = Clock::now() - last_save_ >= skip_save_interval_;
  }
  if (due) save(false);
}

void CursorKeeper::reset(std::uint64_t cursor) {
  {
    MutexLock lock(mutex_);
    window_.reset(cursor);
  }
  save(true);
}

void CursorKeeper::save_now() {
  save(true);
}

void CursorKeeper::save(bool force) {
  MutexLock saving(save_mutex_);
  const std::uint64_t cursor = this->cursor();
  if (!force && cursor <= saved_cursor_) return;
  // A forward move is queued without waiting, so delivery never waits for the committer (a
  // crash may lose the last few saves: duplicates, never a skipped event). A replay's move
  // back is waited for.
  storage::DeliveryState& state = log_.delivery_state();
  const Status saved =
      force ? state.save_cursor(destination_, cursor) : state.queue_cursor(destination_, cursor);
  if (saved.is_ok()) {
    saved_cursor_ = cursor;
  } else {
    // The next save writes a later cursor; until then a restart redelivers from the old one.
    spdlog::error("destination {}: {}", destination_, saved.message());
  }
  last_save_ = Clock::now();
  metrics_.cursor(cursor);
  const std::uint64_t last = log_.records().last_sequence();
  metrics_.backlog(last > cursor ? last - cursor : 0);
}

void CursorKeeper::report_backlog() {
  const std::uint64_t cursor = this->cursor();
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

std::optional<milliseconds> CursorKeeper::oldest_undelivered_age(std::uint64_t cursor) const {
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

}  // namespace sluice::router
