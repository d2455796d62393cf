#pragma once

// One destination's cursor: every event with a sequence up to it is delivered or dead-lettered.
// In memory it moves over the contiguous prefix of settled batches (InFlightWindow), however the
// lanes finish; it is saved in the log's DeliveryState. A forward move is queued without waiting,
// so delivery never waits for the committer (a crash may lose the last few saves: duplicates,
// never a skipped event); a move over filtered-out events only is saved at most every
// skip_save_interval; a replay's move, backwards too, and the last save at stop are waited for.
// It also keeps the destination's backlog gauges, which follow from the cursor.
//
// Thread-safety: load(), open(), skipped(), reset(), save_now() and report_backlog() from the
// loop's thread; settle() from the lanes' threads; cursor() and oldest_undelivered_age() from
// any thread. The EventLog and the metrics must outlive the keeper.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "common/mutex.hpp"
#include "router/backoff.hpp"
#include "router/in_flight_window.hpp"
#include "router/loop_signal.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

class CursorKeeper {
 public:
  // retry_initial and retry_max pace the retries of load().
  CursorKeeper(std::string destination, storage::EventLog& log, DestinationMetrics& metrics,
               std::chrono::milliseconds skip_save_interval,
               std::chrono::milliseconds retry_initial, std::chrono::milliseconds retry_max);
  CursorKeeper(const CursorKeeper&) = delete;
  CursorKeeper& operator=(const CursorKeeper&) = delete;

  // Reads the durable cursor and starts from it, retrying after a failed read (sleeping on
  // signal) until it succeeds. nullopt when stop was requested or the log closed first.
  std::optional<std::uint64_t> load(const std::stop_token& stop, LoopSignal& signal)
      EXCLUDES(mutex_, save_mutex_);

  // The cursor in memory.
  std::uint64_t cursor() const EXCLUDES(mutex_);

  // Opens the slot of a batch whose events end at done_to (every event of the log up to it is
  // in this batch or an earlier one); returns it for settle().
  std::uint64_t open(std::uint64_t done_to) EXCLUDES(mutex_);
  // The batch of slot is acknowledged or dead-lettered: the cursor moves over every settled
  // batch at the front, and a move is queued for saving. A slot from before a reset() is ignored.
  void settle(std::uint64_t slot) EXCLUDES(mutex_, save_mutex_);
  // Every event up to done_to was filtered out: the cursor moves over them when no batch is in
  // flight before them.
  void skipped(std::uint64_t done_to) EXCLUDES(mutex_, save_mutex_);
  // A replay: forgets the slots in flight, sets the cursor and saves it, waiting for the write.
  void reset(std::uint64_t cursor) EXCLUDES(mutex_, save_mutex_);
  // Saves the cursor, whatever it is, and waits for the write: at stop.
  void save_now() EXCLUDES(mutex_, save_mutex_);

  // Updates the backlog gauges: the event count always, the bytes and the age once a second.
  void report_backlog() EXCLUDES(mutex_);
  // How long ago the first event after cursor was received; nullopt when there is none.
  std::optional<std::chrono::milliseconds> oldest_undelivered_age(std::uint64_t cursor) const;

 private:
  // Queues a save of the cursor if it moved past the saved one; forced, saves it whatever it is
  // and waits for the write.
  void save(bool force) EXCLUDES(mutex_, save_mutex_);

  const std::string destination_;
  storage::EventLog& log_;
  DestinationMetrics& metrics_;
  const std::chrono::milliseconds skip_save_interval_;
  Backoff load_backoff_;  // the loop's thread only

  // One save at a time, so that saves never go backwards; taken before mutex_.
  Mutex save_mutex_ ACQUIRED_BEFORE(mutex_);
  std::uint64_t saved_cursor_ GUARDED_BY(save_mutex_) = 0;
  std::chrono::steady_clock::time_point last_save_ GUARDED_BY(save_mutex_);

  mutable Mutex mutex_;
  InFlightWindow window_ GUARDED_BY(mutex_);

  std::chrono::steady_clock::time_point last_gauges_;  // the loop's thread only
};

}  // namespace sluice::router
