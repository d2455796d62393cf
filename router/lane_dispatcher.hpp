#pragma once

// The lanes of one delivery loop (delivery_lane.hpp) and which of them are busy: the loop's
// thread hands a job to an idle lane; the lane reports back through its LaneHost (the loop),
// which passes failed attempts and finished jobs on to here. Also keeps what the loop's status
// shows of the lanes: whether one is retrying, the last failure, the events delivered.
//
// Thread-safety: start(), request_stop(), join() and dispatch() from the loop's owner or its
// thread; the rest from any thread. finished() wakes the loop's waiters (LoopSignal), which must
// outlive this, as must the EventLog, the metrics and the LaneHost.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.hpp"
#include "config/config.hpp"
#include "router/delivery_lane.hpp"
#include "router/destination.hpp"
#include "router/loop_signal.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"

namespace sluice::router {

class LaneDispatcher {
 public:
  // One lane per destination instance. config must outlive this.
  LaneDispatcher(const config::DestinationConfig& config, storage::EventLog& log,
                 std::vector<std::unique_ptr<Destination>> destinations,
                 DestinationMetrics& metrics, LaneHost& host, LoopSignal& signal);
  LaneDispatcher(const LaneDispatcher&) = delete;
  LaneDispatcher& operator=(const LaneDispatcher&) = delete;

  void start();
  // Every lane abandons its job at the next attempt boundary and stops.
  void request_stop();
  // Waits for the lanes; each closes its destination before it ends.
  void join();

  // An idle lane, or nullopt when every lane is busy.
  std::optional<std::size_t> idle_lane() const EXCLUDES(mutex_);
  std::vector<std::size_t> idle_lanes() const EXCLUDES(mutex_);
  bool any_busy() const EXCLUDES(mutex_);

  // Hands job to lane (idle_lane() said it is idle), which is busy until finished().
  void dispatch(std::size_t lane, LaneJob job) EXCLUDES(mutex_);

  // A lane's attempt failed; it retries or dead-letters.
  void attempt_failed(std::size_t lane, const DeliveryResult& result) EXCLUDES(mutex_);
  // A lane's job ended: the lane is idle again.
  void finished(const LaneJob& job) EXCLUDES(mutex_);

  // For the loop's status.
  bool any_retrying() const EXCLUDES(mutex_);
  // The last failed attempt's reason; empty once a job was delivered after it.
  std::string last_error() const EXCLUDES(mutex_);
  // Events delivered since the loop started.
  std::uint64_t delivered() const EXCLUDES(mutex_);

 private:
  LoopSignal& signal_;
  const std::vector<std::unique_ptr<DeliveryLane>> lanes_;  // fixed at construction

  mutable Mutex mutex_;
  std::vector<bool> busy_ GUARDED_BY(mutex_);
  std::vector<bool> retrying_ GUARDED_BY(mutex_);
  std::string last_error_ GUARDED_BY(mutex_);
  std::uint64_t delivered_ GUARDED_BY(mutex_) = 0;
};

}  // namespace sluice::router
