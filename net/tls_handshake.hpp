#pragma once

// The server side of a TLS handshake on an accepted connection, before any HTTP: within a
// deadline, tells a TLS client from one speaking plaintext HTTP to the TLS port (a common
// misconfiguration, answered by the caller instead of a cryptic reset), and names why a
// handshake failed in a word fit for a metric label.
//
// While the handshake runs the connection is registered in the thread's SessionTracker as
// idle, so a server's stop closes it at once. Runs on the connection's io_context thread.

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "net/http_connection.hpp"
#include "net/session_tracker.hpp"

namespace sluice::net {

struct TlsHandshakeResult {
  bool ok = false;
  // Why it failed, as a metric label: timeout, client_closed, plaintext_http, not_tls,
  // protocol_version, no_shared_cipher, certificate_rejected, alert, protocol_error, other.
  std::string_view failure;
  boost::system::error_code error;  // the error behind `failure`, for a debug log
};

// Handshakes as the server on `stream` (a fresh TlsStream over an accepted socket). On
// "plaintext_http" the client's bytes are left unanswered on the TCP stream for the caller to
// answer in plaintext.
boost::asio::awaitable<TlsHandshakeResult> tls_server_handshake(TlsStream& stream,
                                                                SessionTracker& tracker,
                                                                std::chrono::milliseconds timeout);

// The metric label of a failed handshake's error.
std::string_view handshake_failure_reason(const boost::system::error_code& error);

}  // namespace sluice::net
