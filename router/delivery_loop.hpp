#pragma once

// Delivers one destination's events. Its own thread reads the log from the destination's
// durable cursor, keeps the events its Filter matches, gathers them into Batches
// (batch_max_events, batch_max_bytes, batch_max_wait) and hands each to an idle lane
// (delivery_lane.hpp): max_in_flight lanes, each with its own Destination instance, deliver
// batches concurrently, retrying with backoff or dead-lettering. The cursor moves over the
// contiguous prefix of settled batches (InFlightWindow), so it moves in log order however the
// lanes finish.
//
// Guarantees: at least once (the cursor is saved only after an acknowledgement or a dead
// letter, so a crash or stop before that delivers the batch again); in log order with one
// lane; with several, batches may overlap in time but a batch is never skipped. Filtered-out
// events advance the cursor too. The backlog stays in the log: at most max_in_flight + 1
// batches are in memory. The loop waits for new events with EventLog::wait_for_sequence, never
// by polling.
//
// Operators (RouterControl, through Router) pause and resume it, replay from a sequence and
// redeliver dead letters; status() reports where it is.
//
// Threading: start(), request_stop() and join() are for the owner (Router), from one thread;
// the control methods and status() may be called from any thread. The EventLog must outlive
// the loop and stay open until join() returned.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "router/backoff.hpp"
#include "router/batch.hpp"
#include "router/delivery_lane.hpp"
#include "router/destination.hpp"
#include "router/filter.hpp"
#include "router/in_flight_window.hpp"
#include "router/router_control.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

// Timing of a loop that the config does not expose; tests shorten it.
struct LoopTiming {
  // How long an idle loop waits before ticking its destinations (Destination::tick()); also
  // the longest a pause, resume or replay waits to be noticed.
  std::chrono::milliseconds idle_tick{1000};
  // Saving a cursor that only moved over filtered-out events is done at most this often (and
  // at stop): losing such a save costs a re-scan, not a duplicate delivery.
  std::chrono::milliseconds skip_save_interval{1000};
  // Records per EventLog::read() call: bounds the work between checks of stop and deadlines.
  std::size_t read_chunk = 4096;
};

class DeliveryLoop : private LaneHost {
 public:
  // One lane per destination instance (at least one).
  DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
               std::vector<std::unique_ptr<Destination>> destinations, DestinationMetrics metrics,
               LoopTiming timing = {});
  DeliveryLoop(config::DestinationConfig config, storage::EventLog& log,
               std::unique_ptr<Destination> destination, DestinationMetrics metrics,
               LoopTiming timing = {});
  // Stops and joins the threads if the owner did not.
  ~DeliveryLoop() override;
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  void start();
  // Asks the loop to stop without waiting: a wait or a backoff pause ends at once, a deliver()
  // in progress finishes first. A batch not yet acknowledged is delivered again next time.
  void request_stop();
  // Waits for the threads; each lane closes its destination before it ends.
  void join();

  const std::string& name() const { return config_.name; }
  const config::DestinationConfig& config() const { return config_; }

  DestinationStatus status() const;
  void pause();
  void resume();
  // Delivery goes on after cursor: batches in flight are abandoned, and the cursor is saved
  // even when that moves it back.
  void replay(std::uint64_t cursor);
  // Queues a dead letter for redelivery by the next idle lane.
  void redeliver(std::uint64_t dead_letter);

 private:
  enum class Fill { kReady, kInterrupted, kStopped };

  void run(const std::stop_token& stop);
  bool load_cursor(const std::stop_token& stop);
  // Gathers batch_ until it should be delivered, an operator request needs the loop's
  // attention, or stop was requested.
  Fill fill_batch(const std::stop_token& stop);
  // Serves a replay and queued redeliveries, and waits out a pause; false when stopped.
  bool serve_requests(const std::stop_token& stop);
  // Waits for an idle lane; its index, or nullopt when stopped or a request needs serving.
  std::optional<std::size_t> idle_lane(const std::stop_token& stop);
  void dispatch(std::size_t lane, LaneJob job);
  void submit_batch(std::size_t lane);
  void submit_redelivery(std::size_t lane, std::uint64_t id);
  void tick_lanes();
  // Under mutex_: whether an operator request is waiting for the loop.
  bool request_waiting() const;
  std::optional<std::size_t> idle_lane_locked() const;
  void skipped(std::uint64_t done_to);
  // Queues a save of the in-memory cursor if it moved past the saved one; forced, saves it
  // whatever it is and waits for the write.
  void save_cursor(bool force = false);
  void report_backlog();
  // How long ago the first event after cursor was received; nullopt when there is none.
  std::optional<std::chrono::milliseconds> oldest_undelivered_age(std::uint64_t cursor) const;

  // LaneHost
  bool hold(std::chrono::milliseconds duration, std::uint64_t epoch,
            const std::stop_token& stop) override;
  void attempt_failed(std::size_t lane, const DeliveryResult& result) override;
  void finished(LaneJob& job) override;

  const config::DestinationConfig config_;
  storage::EventLog& log_;
  DestinationMetrics metrics_;
  const LoopTiming timing_;
  Filter filter_;
  Batch batch_;                 // being filled; touched only by the loop's thread
  std::uint64_t position_ = 1;  // the next sequence to read; the loop's thread only
  Backoff read_backoff_;        // pauses after failed reads; the loop's thread only
  std::vector<std::unique_ptr<Destination>> destinations_;  // handed to lanes by start()
  std::vector<std::unique_ptr<DeliveryLane>> lanes_;

  mutable std::mutex mutex_;
  // Signalled when a lane finishes and on every operator request.
  std::condition_variable_any changed_;
  InFlightWindow window_;                   // guarded by mutex_
  std::vector<bool> lane_busy_;             // guarded by mutex_
  std::vector<bool> lane_retrying_;         // guarded by mutex_
  LoopState state_ = LoopState::kStarting;  // guarded by mutex_ (kRunning or kStopped)
  bool paused_ = false;                     // guarded by mutex_
  std::uint64_t epoch_ = 0;                 // guarded by mutex_; a replay starts a new one
  std::optional<std::uint64_t> replay_to_;  // guarded by mutex_
  std::deque<std::uint64_t> redeliveries_;  // guarded by mutex_
  std::string last_error_;                  // guarded by mutex_
  std::uint64_t delivered_ = 0;             // guarded by mutex_

  std::mutex save_mutex_;           // one cursor save at a time, so saves never go backwards
  std::uint64_t saved_cursor_ = 0;  // guarded by save_mutex_
  std::chrono::steady_clock::time_point last_save_;
  std::chrono::steady_clock::time_point last_tick_;    // the loop's thread only
  std::chrono::steady_clock::time_point last_gauges_;  // the loop's thread only

  std::jthread thread_;
};

}  // namespace sluice::router
