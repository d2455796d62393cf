#pragma once

// One client connection as a coroutine: read a request (header deadline, body limit and
// deadline, 100-continue), dispatch it, write the answer, repeat while keep-alive holds.
//
// Sessions of one IO thread register in that thread's net::SessionTracker so a shutdown can
// close the idle ones at once and let busy ones finish their current request. The connection
// machinery (limits, deadlines, lingering close) is net::HttpConnection's; the answers, CORS
// and metrics are this session's. Everything here runs on the owning IO thread; nothing is
// shared across threads.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "net/session_tracker.hpp"
#include "server/cors.hpp"
#include "server/request_handler.hpp"
#include "server/server_metrics.hpp"

namespace sluice::server {

struct SessionEnvironment {
  const config::ServerConfig& config;
  RequestHandler& handler;
  const CorsPolicy& cors;
  ServerMetrics& metrics;
  net::SessionTracker& tracker;
};

boost::asio::awaitable<void> run_session(SessionEnvironment env,
                                         boost::asio::ip::tcp::socket socket);

}  // namespace sluice::server
