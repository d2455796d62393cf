#pragma once

// One lane of a delivery loop: a thread with its own Destination instance that delivers one
// job at a time: a batch from the log (retried with backoff until acknowledged, refused for
// good, or out of attempts, then dead-lettered), a dead letter to deliver again, or an idle
// tick. A loop has max_in_flight lanes (LaneDispatcher); each destination instance is driven by
// exactly one lane, so destinations need no locks.
//
// The lane reports to its LaneHost (the loop): failed attempts, and the end of each job. While
// the host is paused a lane holds off its next attempt; when the host starts a new epoch (a
// replay), a lane abandons its job at the next attempt boundary.
//
// Threading: start(), request_stop() and join() from the owner (LaneDispatcher); submit() from
// the loop's thread, only while the lane is idle. The LaneHost's methods are called on the
// lane's thread. The config, EventLog, metrics and host must outlive the lane.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>

#include "common/mutex.hpp"
#include "config/config.hpp"
#include "router/backoff.hpp"
#include "router/batch.hpp"
#include "router/destination.hpp"
#include "router/router_metrics.hpp"
#include "storage/dead_letter.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

struct LaneJob {
  enum class Kind { kBatch, kRedelivery, kTick };
  enum class Outcome {
    kDelivered,     // acknowledged by the destination
    kDeadLettered,  // kBatch: saved as a dead letter; kRedelivery: the dead letter was updated
    kAbandoned,     // stopping, or the epoch ended: nothing is settled
  };

  Kind kind = Kind::kBatch;
  std::size_t lane = 0;        // set by the host when it submits the job
  std::uint64_t epoch = 0;     // the host's epoch when submitted
  std::uint64_t slot = 0;      // kBatch: its InFlightWindow slot
  Batch batch{0, 0};           // kBatch and kRedelivery
  storage::DeadLetter letter;  // kRedelivery: the dead letter, without its contents
  Outcome outcome = Outcome::kAbandoned;
};

class LaneHost {
 public:
  virtual ~LaneHost() = default;
  // Sleeps for duration, or less when stop is requested or epoch ends. While the host is
  // paused it keeps sleeping after duration. Returns whether the lane should go on.
  virtual bool hold(std::chrono::milliseconds duration, std::uint64_t epoch,
                    const std::stop_token& stop) = 0;
  virtual void attempt_failed(std::size_t lane, const DeliveryResult& result) = 0;
  // The job ended (job.outcome says how); the lane is idle again.
  virtual void finished(LaneJob& job) = 0;
};

class DeliveryLane {
 public:
  DeliveryLane(const config::DestinationConfig& config, storage::EventLog& log,
               std::unique_ptr<Destination> destination, DestinationMetrics& metrics,
               LaneHost& host, std::uint64_t seed);
  ~DeliveryLane();
  DeliveryLane(const DeliveryLane&) = delete;
  DeliveryLane& operator=(const DeliveryLane&) = delete;

  void start();
  // Hands the lane its next job; the host calls it only while the lane is idle.
  void submit(LaneJob job) EXCLUDES(mutex_);
  // A job in progress ends as kAbandoned at its next attempt boundary.
  void request_stop();
  // Waits for the thread, which closes the destination before it ends.
  void join();

 private:
  void run(const std::stop_token& stop) EXCLUDES(mutex_);
  void deliver(LaneJob& job, const std::stop_token& stop);
  DeliveryResult attempt(const Batch& batch);
  void acknowledged(const Batch& batch);
  // Saves (kBatch) or updates (kRedelivery) the dead letter; false when stopped first.
  bool dead_letter(LaneJob& job, const DeliveryResult& result, std::uint64_t attempts,
                   const std::stop_token& stop);
  // A redelivered dead letter is erased once delivered.
  void forget_dead_letter(const LaneJob& job, const std::stop_token& stop);
  void tick();

  const config::DestinationConfig& config_;
  storage::EventLog& log_;
  std::unique_ptr<Destination> destination_;
  DestinationMetrics& metrics_;
  LaneHost& host_;
  Backoff backoff_;

  Mutex mutex_;
  std::condition_variable_any job_ready_;
  std::optional<LaneJob> next_ GUARDED_BY(mutex_);
  std::jthread thread_;
};

}  // namespace sluice::router
