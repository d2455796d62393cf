#pragma once

// Retention: deletes what the log no longer needs, so that a log whose destinations keep up
// stays small. A record can go once every configured destination's durable cursor is past it
// and, with storage.retention set, once it is older than that (kept for replays). Without
// destinations nothing counts as delivered, so only storage.retention deletes anything.
//
// It also tells the log where its backlog starts (RecordLog::set_backlog_floor): the bytes past
// the lowest cursor are what intake's 503 limit weighs, not delivered events kept for replay.
//
// With a dedup index given (set_dedup), each pass also reclaims the space of its expired
// buckets (DedupIndex::reclaim).
//
// A pass runs every interval on its own thread; run_once() is the same pass, for tests.
// Thread-safety: start() and stop() from one owning thread; run_once() from one thread at a
// time (the pass's); set_destinations() from any thread. The RecordLog and the DeliveryState (the
// parts of one EventLog) must outlive this.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.hpp"
#include "common/status.hpp"
#include "storage/dedup_index.hpp"
#include "storage/delivery_state.hpp"
#include "storage/record_log.hpp"

namespace sluice::storage {

class Retention {
 public:
  Retention(RecordLog& log, const DeliveryState& state, std::vector<std::string> destinations,
            std::chrono::milliseconds retention,
            std::chrono::milliseconds interval = std::chrono::seconds(10));
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  void start();
  void stop();

  // The dedup index whose expired buckets each pass reclaims; before start(). It must outlive
  // this (it is a part of the same EventLog).
  void set_dedup(DedupIndex& dedup) { dedup_ = &dedup; }

  // The destinations whose cursors count from the next pass on (a config reload changed them).
  void set_destinations(std::vector<std::string> destinations) EXCLUDES(destinations_mutex_);

  // One pass. Returns the sequence below which the log now holds no record (the last record
  // of the log always stays), or the error of a read or the delete that failed.
  Result<std::uint64_t> run_once();

 private:
  // The lowest cursor of destinations plus one: below it everything is delivered.
  Result<std::uint64_t> delivered_below(const std::vector<std::string>& destinations) const;
  std::vector<std::string> destinations() const EXCLUDES(destinations_mutex_);

  RecordLog& log_;
  const DeliveryState& state_;
  mutable Mutex destinations_mutex_;
  std::vector<std::string> destinations_ GUARDED_BY(destinations_mutex_);
  const std::chrono::milliseconds retention_;
  const std::chrono::milliseconds interval_;
  DedupIndex* dedup_ = nullptr;
  std::uint64_t deleted_below_ = 0;  // touched by one thread at a time: the pass's

  Mutex mutex_;                       // guards nothing: wake_ needs a lock to wait with
  std::condition_variable_any wake_;  // never notified: waits end by timeout or stop
  std::jthread thread_;
};

}  // namespace sluice::storage
