#pragma once

// One keep-alive HTTP/1.1 connection of the load generator: connect (with TCP_NODELAY), then
// request after request, reconnecting after an error, a `Connection: close`, or a keep-alive
// close by the server while idle.
//
// Closed loop: the next request goes out as soon as the previous one is answered, and its
// latency runs from the moment it is written. Open loop: the connection takes the next slot of
// its worker's fixed schedule, waits for the slot's pacing step if it lies ahead
// (open_loop_schedule.hpp), and measures latency from the slot's time, so time spent queued
// behind a slow server counts (no coordinated omission).
//
// Written as callbacks rather than a coroutine: every awaited operation would allocate a
// coroutine frame, and the per-connection HandlerMemory keeps the request loop free of heap
// allocations. Owned by its Worker, whose io_context runs every handler on the worker's
// thread; io_context::run() returns only after the last handler, so `this` outlives them all.
// The worker's watchdog enforces --timeout by closing the socket of a late request (expire()).

#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>

#include "bench/sluice_bench/handler_memory.hpp"
#include "bench/sluice_bench/io_types.hpp"
#include "bench/sluice_bench/request_builder.hpp"
#include "bench/sluice_bench/response_reader.hpp"
#include "bench/sluice_bench/run_stats.hpp"

namespace sluice::bench {

class Worker;

class Connection {
 public:
  explicit Connection(Worker& worker);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the request loop; it ends by itself (see Worker::connection_finished).
  void start() { next_request(Clock::now()); }

  // Called by the watchdog: ends a request that passed its deadline, and wakes a connection
  // waiting for its next slot when the run stops.
  void expire(Clock::time_point now, bool stopping);
  bool finished() const { return finished_; }

 private:
  // Wraps a handler so that the operation it completes is allocated in memory_.
  template <typename Handler>
  auto bind(Handler handler);

  // `now` is passed along instead of read again: clock reads are a visible share of the
  // per-request cost on virtual machines.
  void next_request(Clock::time_point now);
  void on_slot_due();
  void send(Clock::time_point now);
  void on_connected(const boost::system::error_code& ec);
  void write();
  void on_written(const boost::system::error_code& ec);
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  // Feeds buffered bytes to the parser; true when the response is complete or failed.
  bool parse(boost::system::error_code* ec);
  void on_response();
  void on_failure(ErrorKind kind);
  void close();
  bool closed_by_peer();
  void finish();

  Worker& worker_;
  const bool open_loop_;
  HandlerMemory memory_;
  Socket socket_;
  Timer timer_;  // open loop: the next slot; closed loop: the pause after a failed connect
  boost::beast::flat_buffer read_buffer_;
  OutgoingRequest request_;
  std::string response_body_;
  std::optional<ResponseReader> reader_;
  Clock::time_point started_{};    // latency origin: slot time (open) or write time (closed)
  Clock::time_point last_used_{};  // the last response
  // Set while a request (or its connect) is in flight; the watchdog compares against it.
  std::optional<Clock::time_point> deadline_;
  bool timed_out_ = false;
  bool finished_ = false;
};

}  // namespace sluice::bench
