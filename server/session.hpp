#pragma once

// One client connection of the tracking port (or the ops port) as a coroutine: read a request
// (header deadline, body limit and deadline, 100-continue), let the thread's TrackingApi answer
// it, write the answer, repeat while keep-alive holds. What is answered is TrackingApi's alone;
// the session only reads, asks and writes, and counts the request. Over TLS the session first
// runs the handshake with the certificate in force, and answers a plaintext HTTP request sent
// to the TLS port with a 400 that says so.
//
// Sessions of one IO thread register in that thread's net::SessionTracker so a shutdown can
// close the idle ones at once and let busy ones finish their current request. Everything here
// runs on the owning IO thread; nothing is shared across threads.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "net/session_tracker.hpp"
#include "net/tls_credentials.hpp"
#include "server/server_metrics.hpp"
#include "server/tls_metrics.hpp"
#include "server/tracking_api.hpp"

namespace sluice::server {

struct SessionEnvironment {
  const config::ServerConfig& config;
  TrackingApi& api;
  ServerMetrics& metrics;
  net::SessionTracker& tracker;
  PortRoutes routes = PortRoutes::kAll;
};

// What a TLS session needs besides; both outlive the session.
struct TlsEnvironment {
  const net::TlsCredentials& credentials;
  TlsMetrics& metrics;
};

boost::asio::awaitable<void> run_session(SessionEnvironment env,
                                         boost::asio::ip::tcp::socket socket);

boost::asio::awaitable<void> run_tls_session(SessionEnvironment env, TlsEnvironment tls,
                                             boost::asio::ip::tcp::socket socket);

}  // namespace sluice::server
