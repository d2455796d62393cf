#pragma once

// Puts renewed certificates in force without a restart: re-reads the TLS files whenever they
// change on disk (checked every second), so that certbot, cert-manager or an operator replacing
// the files is enough (SIGHUP reloads them too: server/main.cpp). Failures are logged with their
// reason and counted by the credentials' observer; the certificate in force stays.
//
// Runs on the io_context given (not an IO thread's: a reload parses PEM and must not hold up
// requests). Construct, then start(); stop() or the destructor cancels the watch, from the
// io_context's thread or after it stopped running.

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/tls_credentials.hpp"

namespace sluice::server {

class TlsReloader {
 public:
  TlsReloader(boost::asio::io_context& io, net::TlsCredentials& credentials,
              std::chrono::milliseconds poll_interval = std::chrono::seconds(1));

  void start();
  void stop();

 private:
  void wait_for_poll();

  net::TlsCredentials& credentials_;
  boost::asio::steady_timer poll_timer_;
  const std::chrono::milliseconds poll_interval_;
};

}  // namespace sluice::server
