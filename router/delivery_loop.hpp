#pragma once

// Delivers one destination's events: the coordinator of a destination's delivery, which the
// Router owns and RouterControl acts on. Its thread takes batches from a BatchSource (the log
// from the destination's cursor, filtered and batched) and hands each to an idle lane of its
// LaneDispatcher: max_in_flight lanes, each with its own Destination instance, deliver batches
// concurrently, retrying with backoff or dead-lettering. The CursorKeeper moves the cursor over
// the contiguous prefix of settled batches, so it moves in log order however the lanes finish,
// and saves it. OperatorRequests holds what operators asked for (pause, resume, replay,
// redeliver); the loop's thread serves them between batches.
//
// Guarantees: at least once (the cursor is saved only after an acknowledgement or a dead
// letter, so a crash or stop before that delivers the batch again); in log order with one
// lane; with several, batches may overlap in time but a batch is never skipped. Filtered-out
// events advance the cursor too. The backlog stays in the log: at most max_in_flight + 1
// batches are in memory. The loop waits for new events with RecordLog::wait_for_sequence, never
// by polling.
//
// Threading: start(), request_stop() and join() are for the owner (Router), from one thread;
// the control methods and status() may be called from any thread. The parts wake each other's
// waits through one LoopSignal (loop_signal.hpp). The EventLog must outlive the loop and stay
// open until join() returned.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "router/batch_source.hpp"
#include "router/cursor_keeper.hpp"
#include "router/delivery_lane.hpp"
#include "router/destination.hpp"
#include "router/lane_dispatcher.hpp"
#include "router/loop_signal.hpp"
#include "router/loop_timing.hpp"
#include "router/operator_requests.hpp"
#include "router/router_control.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

class DeliveryLoop : private LaneHost, private BatchSourceHost {
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
  // Whether an operator paused it (and has not resumed it).
  bool paused() const { return requests_.paused(); }
  // Delivery goes on after cursor: batches in flight are abandoned, and the cursor is saved
  // even when that moves it back.
  void replay(std::uint64_t cursor);
  // Queues a dead letter for redelivery by the next idle lane.
  void redeliver(std::uint64_t dead_letter);

 private:
  void run(const std::stop_token& stop);
  // Serves a replay and queued redeliveries, and waits out a pause; false when stopped.
  bool serve_requests(const std::stop_token& stop);
  // Waits for an idle lane; its index, or nullopt when stopped or a request needs serving.
  std::optional<std::size_t> wait_for_idle_lane(const std::stop_token& stop);
  // Stamps job with the current epoch (and a batch with its cursor slot) and hands it to lane.
  void dispatch(std::size_t lane, LaneJob job);
  void submit_batch(std::size_t lane);
  void submit_redelivery(std::size_t lane, std::uint64_t id);

  // BatchSourceHost
  bool request_waiting() override;
  void pause_after_failure(std::chrono::milliseconds delay, const std::stop_token& stop) override;
  void read_progressed() override;
  void skipped(std::uint64_t done_to) override;
  void idle() override;

  // LaneHost
  bool hold(std::chrono::milliseconds duration, std::uint64_t epoch,
            const std::stop_token& stop) override;
  void attempt_failed(std::size_t lane, const DeliveryResult& result) override;
  void finished(LaneJob& job) override;

  const config::DestinationConfig config_;
  storage::EventLog& log_;
  DestinationMetrics metrics_;
  const LoopTiming timing_;
  LoopSignal signal_;
  OperatorRequests requests_;
  CursorKeeper cursor_;
  BatchSource source_;  // the loop's thread only
  LaneDispatcher lanes_;
  std::atomic<LoopState> state_{LoopState::kStarting};  // then kRunning, then kStopped
  std::jthread thread_;
};

}  // namespace sluice::router
