#pragma once

// Delivers one destination's events: on its own thread, it reads the log from the
// destination's durable cursor, keeps the events its Filter matches, gathers them into a Batch
// (batch_max_events, batch_max_bytes, batch_max_wait), hands the batch to the Destination and,
// once the destination acknowledged it, moves the cursor past it. Failed attempts are retried
// with jittered exponential backoff (Backoff); a permanent failure, or max_attempts failures,
// moves the batch to the dead letters and the loop goes on with the next one.
//
// Guarantees: in log order; at least once (the cursor is saved only after an acknowledgement
// or a dead letter, so a crash or stop between delivery and save delivers the batch again);
// events filtered out advance the cursor too. The backlog stays in the log: only one batch is
// in memory. The loop waits for new events with EventLog::wait_for_sequence, never by polling.
//
// This slice delivers one batch at a time: max_in_flight > 1 is accepted by the config but not
// used yet (pipelining with an in-order cursor over several batches is the next slice's work).
//
// Threading: the loop's state is touched only by its thread. start(), request_stop() and join()
// are for the owner (Router), from one thread. The EventLog must outlive the loop and stay open
// until join() returned.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "router/backoff.hpp"
#include "router/batch.hpp"
#include "router/destination.hpp"
#include "router/filter.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

// Timing of a loop that the config does not expose; tests shorten it.
struct LoopTiming {
  // How long an idle loop waits before calling Destination::tick().
  std::chrono::milliseconds idle_tick{1000};
  // Saving a cursor that only moved over filtered-out events is done at most this often (and
  // at stop): losing such a save costs a re-scan, not a duplicate delivery.
  std::chrono::milliseconds skip_save_interval{1000};
  // Records per EventLog::read() call: bounds the work between checks of stop and deadlines.
  std::size_t read_chunk = 4096;
};

class DeliveryLoop {
 public:
  DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
               std::unique_ptr<Destination> destination, DestinationMetrics metrics,
               LoopTiming timing = {});
  // Stops and joins the thread if the owner did not.
  ~DeliveryLoop();
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  void start();
  // Asks the loop to stop without waiting: a wait or a backoff pause ends at once, a deliver()
  // in progress finishes first. A batch not yet acknowledged is delivered again next time.
  void request_stop();
  // Waits for the thread, which closes the destination before it ends.
  void join();

  const std::string& name() const { return config_.name; }

 private:
  void run(const std::stop_token& stop);
  bool load_cursor(const std::stop_token& stop);
  // Gathers batch_ until it should be delivered (true) or stop was requested (false).
  bool fill_batch(const std::stop_token& stop);
  // Delivers batch_ until acknowledged or dead-lettered (true) or stop was requested (false).
  bool deliver_batch(const std::stop_token& stop);
  DeliveryResult attempt_delivery();
  void tick_destination();
  bool dead_letter(const DeliveryResult& result, std::uint64_t attempts, std::uint64_t done_to,
                   const std::stop_token& stop);
  void acknowledged(std::uint64_t done_to);
  void skipped(std::uint64_t done_to, std::chrono::steady_clock::time_point now);
  void save_cursor();
  void report_backlog();
  // Sleeps for duration unless stop is requested first; returns false when stopped.
  bool pause(std::chrono::milliseconds duration, const std::stop_token& stop);

  const config::DestinationConfig config_;
  storage::EventLog& log_;
  std::unique_ptr<Destination> destination_;
  DestinationMetrics metrics_;
  const LoopTiming timing_;
  Filter filter_;
  Batch batch_;
  Backoff backoff_;

  std::uint64_t position_ = 1;      // the next sequence to read
  std::uint64_t cursor_ = 0;        // every sequence up to here is done (in memory)
  std::uint64_t saved_cursor_ = 0;  // ... and up to here that is durable
  std::chrono::steady_clock::time_point last_save_;
  std::chrono::steady_clock::time_point last_tick_;

  std::mutex pause_mutex_;
  std::condition_variable_any pause_cv_;  // never notified: pauses end by timeout or stop
  std::jthread thread_;
};

}  // namespace sluice::router
