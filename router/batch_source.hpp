#pragma once

// Where a delivery loop's batches come from: reads the log from the destination's position with
// RecordLog::read, keeps the events its Filter matches and gathers them into a Batch until it is
// full (batch_max_events, batch_max_bytes) or its batch_max_wait has passed. Caught up with the
// log, it waits for new events with RecordLog::wait_for_sequence (the committer notifies after
// each group commit), never by polling, and gives the loop an idle tick for the destinations'
// upkeep. Filtered-out events are handed to the loop to move the cursor over.
//
// Not thread-safe: owned and used by the loop's thread. The RecordLog and the config must outlive
// it.

#include <chrono>
#include <cstdint>
#include <stop_token>

#include "config/config.hpp"
#include "router/backoff.hpp"
#include "router/batch.hpp"
#include "router/filter.hpp"
#include "router/loop_timing.hpp"
#include "storage/record_log.hpp"

namespace sluice::router {

// What a BatchSource needs of its loop while it gathers; called on the loop's thread.
class BatchSourceHost {
 public:
  virtual ~BatchSourceHost() = default;
  // Whether an operator request needs the loop: gathering stops to let it serve it.
  virtual bool request_waiting() = 0;
  // Sleeps for delay after a failed read; less when stop is requested or a request comes.
  virtual void pause_after_failure(std::chrono::milliseconds delay,
                                   const std::stop_token& stop) = 0;
  // A read went through: the backlog gauges may follow.
  virtual void read_progressed() = 0;
  // Every event up to done_to was filtered out, and no batch holds a later one.
  virtual void skipped(std::uint64_t done_to) = 0;
  // Caught up, and no batch was handed out for an idle tick: the destinations' upkeep.
  virtual void idle() = 0;
};

class BatchSource {
 public:
  enum class Fill {
    kReady,        // take() the batch
    kInterrupted,  // an operator request waits; the batch keeps what it has
    kStopped,      // stop was requested or the log closed
  };

  BatchSource(const config::DestinationConfig& config, const storage::RecordLog& log,
              LoopTiming timing);
  BatchSource(const BatchSource&) = delete;
  BatchSource& operator=(const BatchSource&) = delete;

  // Reading starts after cursor; the idle tick counts from now.
  void start(std::uint64_t cursor);
  // A replay: the batch being gathered is dropped and reading goes on after cursor.
  void rewind(std::uint64_t cursor);

  // Gathers the batch until it should be delivered, an operator request needs the loop or
  // stop is requested.
  Fill fill(const std::stop_token& stop, BatchSourceHost& host);
  // Hands over the gathered batch and starts a new one.
  Batch take();

  // The next sequence to read: every event before it is in a batch handed out, in the batch
  // being gathered, or filtered out.
  std::uint64_t position() const { return position_; }

 private:
  using Clock = std::chrono::steady_clock;

  Batch empty_batch() const;

  const config::DestinationConfig& config_;
  const storage::RecordLog& log_;
  const LoopTiming timing_;
  Filter filter_;
  Batch batch_;
  std::uint64_t position_ = 1;
  Backoff read_backoff_;  // pauses after failed reads
  Clock::time_point last_tick_;
};

}  // namespace sluice::router
