#pragma once

// One load-generating thread: its own io_context, its share of the connections, a request
// builder (generator and gzip encoder), its RunStats and its part of the open-loop schedule.
// A watchdog timer on the same thread enforces request deadlines, wakes waiting connections
// when the run stops, and publishes a copy of the stats for the progress line.
//
// start() and join() are called by the owning thread; snapshot() and result() may be called
// from any thread. Everything else runs on the worker's own thread. The plan must outlive it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <simdjson.h>

#include "bench/sluice_bench/connection.hpp"
#include "bench/sluice_bench/io_types.hpp"
#include "bench/sluice_bench/open_loop_schedule.hpp"
#include "bench/sluice_bench/request_builder.hpp"
#include "bench/sluice_bench/run_plan.hpp"
#include "bench/sluice_bench/run_stats.hpp"

namespace sluice::bench {

struct WorkerSnapshot {
  RunStats stats;
  // Every response and failed request so far, warmup included: the progress line's rate.
  std::uint64_t completed = 0;
};

struct WorkerResult {
  RunStats stats;
  Clock::time_point last_completion{};  // of the last response or error in the window
  std::uint64_t unsent = 0;  // open loop: slots that came due before the end but never went out
  std::string failure;       // set when the worker stopped the run on an internal error
};

class Worker {
 public:
  // index: 0 .. threads - 1; rate: this worker's share of --rate (0 in a closed loop).
  Worker(const RunPlan& plan, unsigned index, unsigned connections, double rate);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  void join();
  WorkerSnapshot snapshot() const;
  // After join().
  const WorkerResult& result() const { return result_; }

  // For the worker's connections, on its thread.
  Executor executor() { return io_.get_executor(); }
  const RunPlan& plan() const { return plan_; }
  RequestBuilder& builder() { return builder_; }
  bool stopping() const;
  bool may_start(Clock::time_point now) const { return !stopping() && now < plan_.deadline; }
  bool claim_request();
  // Open loop: the next slot of the schedule.
  Clock::time_point take_slot();
  const OpenLoopSchedule& schedule() const { return *schedule_; }
  void record_connect() { ++stats_.connects; }
  void record_sent(Clock::time_point now, const OutgoingRequest& request);
  void record_response(Clock::time_point now, Clock::time_point started, int status,
                       EventRange events, std::string_view body);
  void record_error(Clock::time_point now, ErrorKind kind);
  void connection_finished();
  void fail(std::string message);

 private:
  enum class Window { kWarmup, kMeasured, kLate };
  Window window(Clock::time_point now) const;
  void run();
  void schedule_watchdog();
  void on_watchdog();
  void publish();
  // Adds the messageIds of events to the --acked buffer, skipping the indices the server
  // named in a "rejected" list; returns how many it skipped.
  std::uint32_t acknowledge(EventRange events, std::string_view body);
  void flush_acked();

  const RunPlan& plan_;
  boost::asio::io_context io_;
  RequestBuilder builder_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::size_t running_connections_ = 0;
  Timer watchdog_timer_;
  int watchdog_ticks_ = 0;
  std::thread thread_;

  // Open loop only.
  std::optional<OpenLoopSchedule> schedule_;
  std::uint64_t slots_taken_ = 0;
  bool request_limit_reached_ = false;
  // When the watchdog first saw a stop request: slots due later are not missed ones.
  Clock::time_point stop_seen_ = Clock::time_point::max();

  RunStats stats_;
  std::uint64_t completed_ = 0;
  Clock::time_point last_completion_{};
  std::string acked_buffer_;
  simdjson::dom::parser rejected_parser_;
  std::string failure_;

  mutable std::mutex published_mutex_;
  WorkerSnapshot published_;
  WorkerResult result_;
};

}  // namespace sluice::bench
