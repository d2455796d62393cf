#pragma once

// One client connection as a coroutine: read a request (header deadline, body limit and
// deadline, 100-continue), dispatch it, write the answer, repeat while keep-alive holds.
//
// Sessions of one IO thread register in that thread's SessionTracker so a shutdown can close
// the idle ones at once and let busy ones finish their current request. Everything here runs
// on the owning IO thread; nothing is shared across threads.

#include <functional>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "config/config.hpp"
#include "server/cors.hpp"
#include "server/request_handler.hpp"
#include "server/server_metrics.hpp"

namespace sluice::server {

struct SessionState {
  boost::beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request's header
  bool stop_requested = false;
};

class SessionTracker {
 public:
  void add(SessionState* session);
  void remove(SessionState* session);
  // Marks every session to stop after its current response and cancels the idle ones.
  void stop_all();
  void close_all();  // the drain deadline passed: cancel everything
  bool stopping() const { return stopping_; }
  std::size_t size() const { return sessions_.size(); }
  // Called when the last session is removed during a stop.
  std::function<void()> on_drained;

 private:
  std::unordered_set<SessionState*> sessions_;
  bool stopping_ = false;
};

struct SessionEnvironment {
  const config::ServerConfig& config;
  RequestHandler& handler;
  const CorsPolicy& cors;
  ServerMetrics& metrics;
  SessionTracker& tracker;
};

boost::asio::awaitable<void> run_session(SessionEnvironment env,
                                         boost::asio::ip::tcp::socket socket);

}  // namespace sluice::server
